"""Connection handshake: "API\\0" + framed "v<min>..<max>[ options]" → version + time."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from runner.sim.protocol.wire import frame_text, read_frame

_RANGE = re.compile(r"^v(\d+)(?:\.\.(\d+))?(?:\s+(.*))?$")


class HandshakeRefused(Exception):
    """The client's version range cannot be served (a real gateway just closes)."""


@dataclass(frozen=True)
class ClientHello:
    min_version: int
    max_version: int
    options: str


def parse_hello(payload: bytes) -> ClientHello:
    text = payload.decode("ascii", "replace").rstrip("\0").strip()
    match = _RANGE.match(text)
    if not match:
        raise HandshakeRefused(f"malformed version string {text!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return ClientHello(low, high, match.group(3) or "")


def negotiate(hello: ClientHello, server_min: int, server_max: int) -> int:
    """Highest version both sides support; refuse disjoint ranges."""
    version = min(hello.max_version, server_max)
    if version < max(hello.min_version, server_min):
        raise HandshakeRefused(
            f"client range v{hello.min_version}..{hello.max_version} outside server range v{server_min}..{server_max}"
        )
    return version


def connection_time_text() -> str:
    # IB sends local time with a zone name; clients only display it.
    return time.strftime("%Y%m%d %H:%M:%S", time.gmtime()) + " UTC"


async def accept(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server_min: int, server_max: int, max_bytes: int
) -> int:
    """Run the server side of the handshake; returns the negotiated version. A version string
    longer than ``max_bytes`` is refused before it is buffered."""
    prefix = await reader.readexactly(4)
    if prefix != b"API\0":
        raise HandshakeRefused(f"bad prefix {prefix!r}")
    hello = parse_hello(await read_frame(reader, max_bytes))
    version = negotiate(hello, server_min, server_max)
    writer.write(frame_text(f"{version}\0{connection_time_text()}\0"))
    await writer.drain()
    return version
