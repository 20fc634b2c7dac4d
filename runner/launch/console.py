"""nautilus' console log through a relay that survives a console that has gone away.

nautilus' Rust logger writes to stdout and stderr from a thread of its own and aborts the whole
process (a Rust panic, SIGABRT) when a write fails: on a terminal that has hung up (EIO: its
window was closed, the SSH session dropped) or to a reader that has gone (EPIPE: `ibrun run … |
tee log` after the hang-up). The kernel hangs the terminal up before it sends SIGHUP, so no
handler can come first, and an abort skips every clean-up: a docker gateway's writable, logged-in
container stays up.

So before the node is built, descriptors 1 and 2 become pipes: a relay thread copies each to the
console and drops what the console no longer takes. Python's own output (``sys.stdout`` and
``sys.stderr``: the live view, the summary, errors) goes to the console directly, as before; the
SIGHUP handler points it at /dev/null when the terminal is gone (`runner.launch.signals`).
"""

from __future__ import annotations

import atexit
import fcntl
import io
import os
import sys
import termios
import threading
import time
from typing import IO

from runner.launch import signals

CHUNK = 65536
DRAIN_SECONDS = 1.0
"""At exit, how long to wait for the relays to pass on what the logger wrote last."""

_pipes: list[int] = []


def relay_console() -> bool:
    """Put descriptors 1 and 2 behind relays, once per process (the logger lives as long as it).

    Not done (False) when Python's streams are not descriptors 1 and 2 (ibrun embedded, or a
    test capturing them): then there is no process console to protect."""
    if _pipes:
        return True
    if not (_fileno(sys.stdout) == 1 and _fileno(sys.stderr) == 2):
        return False
    sys.stdout.flush()
    sys.stderr.flush()
    moved = {}
    for fd, name in ((1, "stdout"), (2, "stderr")):
        console = os.dup(fd)
        read, write = os.pipe()
        os.dup2(write, fd)
        os.close(write)
        _pipes.append(read)
        threading.Thread(target=_pump, args=(read, console), name=f"ibrun-console-{fd}", daemon=True).start()
        setattr(sys, name, _reopen(getattr(sys, name), console))
        moved[fd] = console
    signals.console_moved(moved)
    atexit.register(_drain)
    return True


def _pump(source: int, console: int) -> None:
    writable = True
    while data := _read(source):
        if not writable:
            continue  # the console is gone: keep the pipe empty, so that the logger never blocks
        try:
            while data:
                data = data[os.write(console, data) :]
        except OSError:
            writable = False


def _read(source: int) -> bytes:
    try:
        return os.read(source, CHUNK)
    except OSError:
        return b""


def _drain() -> None:
    """Wait (briefly) until the relays have taken what is in the pipes: the last log lines."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while any(_pending(pipe) for pipe in _pipes) and time.monotonic() < deadline:
        time.sleep(0.01)


def _pending(pipe: int) -> int:
    try:
        return int.from_bytes(fcntl.ioctl(pipe, termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)
    except OSError:
        return 0


def _reopen(stream: IO[str], console: int) -> IO[str]:
    """``stream`` (sys.stdout or sys.stderr) again, on the console's new descriptor."""
    wrapper = stream if isinstance(stream, io.TextIOWrapper) else None
    return io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(console, "w", closefd=False)),
        encoding=wrapper.encoding if wrapper else None,
        errors=wrapper.errors if wrapper else None,
        line_buffering=wrapper.line_buffering if wrapper else True,
        write_through=wrapper.write_through if wrapper else False,
    )


def _fileno(stream: IO[str]) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
