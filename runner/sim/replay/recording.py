"""The recording file: JSON lines, versioned. The first line is a header; every other line is one
event of one connection, in the order the recorder saw them:

    {"format": "ibrun-tws-recording", "version": 1, "started": "2024-01-02T15:00:00Z",
     "upstream": "127.0.0.1:4002", "scrubbed": true}
    {"t": 0.0012, "conn": 1, "dir": "client", "kind": "hello", "text": "v100..200"}
    {"t": 0.0031, "conn": 1, "dir": "server", "kind": "msg", "fields": ["200", "20240102 15:00:00 UTC"]}
    {"t": 0.0040, "conn": 1, "dir": "client", "kind": "msg", "fields": ["71", "2", "1", ""]}
    {"t": 9.5000, "conn": 1, "dir": "server", "kind": "raw", "base64": "..."}   (a non-text frame)
    {"t": 12.000, "conn": 1, "kind": "close"}

`t` is seconds since the recorder started; `fields` are a frame's NUL-separated text fields (the
message id first; the server's first frame is the handshake reply: version and time)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "ibrun-tws-recording"
VERSION = 1


class RecordingError(ValueError):
    """The file is not a recording this version of ibrun can replay."""


@dataclass(frozen=True, slots=True)
class Event:
    t: float
    direction: str
    """"client" or "server"."""
    fields: tuple[str, ...]


@dataclass
class Connection:
    conn: int
    hello: str = ""
    server_version: int = 0
    events: list[Event] = field(default_factory=list)
    """Messages after the handshake, both directions, in order."""

    @property
    def client_id(self) -> int | None:
        for event in self.events:
            if event.direction == "client" and event.fields[:1] == ("71",) and len(event.fields) > 2:
                return int(event.fields[2]) if event.fields[2].lstrip("-").isdigit() else None
        return None


@dataclass(frozen=True)
class Recording:
    header: dict[str, Any]
    connections: list[Connection]


class Writer:
    """Appends events to the file, one JSON line each, flushed as they come (a crash keeps what
    was recorded)."""

    def __init__(self, path: Path, upstream: str, scrubbed: bool) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._started = dt.datetime.now(dt.UTC)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "started": self._started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "upstream": upstream,
            "scrubbed": scrubbed,
        }
        self._line(header)

    def _line(self, value: dict[str, Any]) -> None:
        self._file.write(json.dumps(value, ensure_ascii=False) + "\n")
        self._file.flush()

    def event(self, t: float, conn: int, direction: str, kind: str, **payload: Any) -> None:
        self._line({"t": round(t, 6), "conn": conn, "dir": direction, "kind": kind, **payload})

    def close(self) -> None:
        self._file.close()


def read_recording(path: Path) -> Recording:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror}") from None
    if not lines:
        raise RecordingError(f"{path}: empty file")
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{path}:1: not a recording header: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordingError(f"{path}:1: not an ibrun recording (expected format {FORMAT!r})")
    if header.get("version") != VERSION:
        raise RecordingError(f"{path}:1: recording version {header.get('version')!r}; this ibrun reads {VERSION}")
    connections: dict[int, Connection] = {}
    for number, line in enumerate(lines[1:], start=2):
        try:
            _add(connections, json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise RecordingError(f"{path}:{number}: bad event: {exc}") from None
    return Recording(header, list(connections.values()))


def _add(connections: dict[int, Connection], item: dict[str, Any]) -> None:
    conn = connections.setdefault(int(item["conn"]), Connection(int(item["conn"])))
    kind = item["kind"]
    if kind == "hello":
        conn.hello = str(item["text"])
    elif kind == "msg" and item["dir"] == "server" and not conn.server_version:
        conn.server_version = int(item["fields"][0])  # the handshake reply
    elif kind == "msg":
        conn.events.append(Event(float(item["t"]), str(item["dir"]), tuple(str(f) for f in item["fields"])))
