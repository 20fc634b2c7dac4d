"""TWS API framing: 4-byte big-endian length prefix, then NUL-terminated text fields."""

from __future__ import annotations

import asyncio
import builtins
import struct
from collections.abc import Iterable

_LENGTH = struct.Struct(">I")
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def field_text(value: object) -> str:
    """One field as IB writes it: bools as 0/1, None as empty."""
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def frame(fields: Iterable[object]) -> bytes:
    """Encode one message (the first field is the message id)."""
    payload = "".join([field_text(v) + "\0" for v in fields]).encode("utf-8", "backslashreplace")
    return _LENGTH.pack(len(payload)) + payload


def frame_text(text: str) -> bytes:
    """Frame an already NUL-terminated payload (the handshake reply)."""
    payload = text.encode("ascii")
    return _LENGTH.pack(len(payload)) + payload


def split_fields(payload: bytes) -> list[str]:
    """Fields of one message; the trailing NUL yields no extra field."""
    parts = payload.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p.decode("utf-8", "replace") for p in parts]


async def read_frame(reader: asyncio.StreamReader, max_bytes: int = MAX_MESSAGE_BYTES) -> bytes:
    header = await reader.readexactly(4)
    (size,) = _LENGTH.unpack(header)
    if size > max_bytes:
        raise ValueError(f"message of {size} bytes exceeds the limit of {max_bytes}")
    return await reader.readexactly(size)


class Fields:
    """Cursor over a request's fields, tolerant of missing trailing fields (older layouts)."""

    __slots__ = ("_items", "_pos")

    def __init__(self, items: list[str]) -> None:
        self._items = items
        self._pos = 0

    def remaining(self) -> int:
        return len(self._items) - self._pos

    def str(self) -> str:
        if self._pos >= len(self._items):
            return ""
        value = self._items[self._pos]
        self._pos += 1
        return value

    def int(self, default: int = 0) -> int:
        text = self.str()
        try:
            return int(text) if text else default
        except ValueError:
            return int(float(text))

    def float(self, default: float = 0.0) -> float:
        text = self.str()
        if not text:
            return default
        try:
            return float(text)
        except ValueError:
            return default

    def bool(self) -> bool:
        text = self.str()
        return text not in ("", "0", "false", "False")

    def skip(self, count: builtins.int = 1) -> None:
        self._pos = min(len(self._items), self._pos + count)
