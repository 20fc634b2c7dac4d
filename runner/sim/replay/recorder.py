"""`ibrun record`: a TCP proxy between any TWS API client and a real TWS/IB Gateway. Traffic
passes unchanged (but for the client's advertised version range, capped at `max_version` so the
session stays in the text protocol a replay understands); both directions are written to the
recording with timestamps, scrubbed of personal fields unless `scrub` is off."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import logging
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from runner.sim.protocol.wire import MAX_MESSAGE_BYTES, split_fields
from runner.sim.replay.recording import Writer
from runner.sim.replay.scrub import Scrubber

log = logging.getLogger("runner.sim.record")
_LENGTH = struct.Struct(">I")
_RANGE = re.compile(r"^v(\d+)(?:\.\.(\d+))?(.*)$", re.DOTALL)
TEXT_PROTOCOL_MAX = 200


@dataclass(frozen=True)
class RecorderConfig:
    upstream_host: str
    upstream_port: int
    listen_host: str
    listen_port: int
    out: Path
    scrub: bool = True
    max_version: int = TEXT_PROTOCOL_MAX
    """Cap of the client's advertised range (0: leave the handshake untouched)."""


def capped_hello(text: str, max_version: int) -> str:
    """`v100..223` → `v100..200` (the client then negotiates at most `max_version`)."""
    match = _RANGE.match(text)
    if not match or not max_version:
        return text
    low, high, rest = int(match.group(1)), int(match.group(2) or match.group(1)), match.group(3)
    return f"v{low}..{min(high, max(max_version, low))}{rest}"


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(4)
    (size,) = _LENGTH.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {size} bytes exceeds the limit")
    return await reader.readexactly(size)


def _frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


class Recorder:
    def __init__(self, config: RecorderConfig) -> None:
        self.config = config
        self.scrubber = Scrubber() if config.scrub else None
        upstream = f"{config.upstream_host}:{config.upstream_port}"
        self.writer = Writer(config.out, upstream, config.scrub)
        self.started = time.monotonic()
        self._ids = itertools.count(1)
        self.binary: dict[int, bool] = {}
        """conn → the negotiated version is past the text protocol (frames recorded raw)."""

    def _write(self, conn: int, direction: str, payload: bytes) -> None:
        t = time.monotonic() - self.started
        if self.binary.get(conn):
            self.writer.event(t, conn, direction, "raw", base64=base64.b64encode(payload).decode())
            return
        fields = split_fields(payload)
        if self.scrubber is not None:
            fields = self.scrubber.fields(fields)
        self.writer.event(t, conn, direction, "msg", fields=fields)

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        conn = next(self._ids)
        c = self.config
        try:
            up_reader, up_writer = await asyncio.open_connection(c.upstream_host, c.upstream_port, limit=2**20)
        except OSError as exc:
            log.warning("connection %s: upstream %s:%s unreachable: %s", conn, c.upstream_host, c.upstream_port, exc)
            client_writer.close()
            return
        try:
            await self._handshake(conn, client_reader, up_writer, up_reader, client_writer)
            await asyncio.gather(
                self._pump(conn, "client", client_reader, up_writer),
                self._pump(conn, "server", up_reader, client_writer),
            )
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            log.info("connection %s ended: %r", conn, exc)
        finally:
            self.writer.event(time.monotonic() - self.started, conn, "both", "close")
            for writer in (client_writer, up_writer):
                with contextlib.suppress(OSError, RuntimeError):
                    writer.close()

    async def _handshake(
        self,
        conn: int,
        client_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        client_writer: asyncio.StreamWriter,
    ) -> None:
        prefix = await client_reader.readexactly(4)  # "API\0"
        hello = capped_hello((await _read_frame(client_reader)).decode("ascii", "replace"), self.config.max_version)
        up_writer.write(prefix + _frame(hello.encode("ascii")))
        self.writer.event(time.monotonic() - self.started, conn, "client", "hello", text=hello)
        reply = await _read_frame(up_reader)
        client_writer.write(_frame(reply))
        fields = split_fields(reply)
        self.writer.event(time.monotonic() - self.started, conn, "server", "msg", fields=fields)
        self.binary[conn] = bool(fields) and fields[0].isdigit() and int(fields[0]) > TEXT_PROTOCOL_MAX

    async def _pump(
        self, conn: int, direction: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                payload = await _read_frame(reader)
                writer.write(_frame(payload))  # unchanged, before anything else
                self._write(conn, direction, payload)
                await writer.drain()
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()  # one side gone: the other is closed too, as a gateway would


async def serve_recorder(config: RecorderConfig) -> tuple[Recorder, asyncio.Server]:
    recorder = Recorder(config)
    server = await asyncio.start_server(recorder.handle, config.listen_host, config.listen_port, limit=2**20)
    return recorder, server
