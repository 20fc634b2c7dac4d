"""Process-wide signal handling outside the event loop: SIGTERM behaves like Ctrl-C.

While ibrun validates, starts a gateway or probes it, both SIGINT and SIGTERM raise
``KeyboardInterrupt`` in the main thread; the `with` blocks on the way out stop whatever was
started, and the command turns it into :class:`runner.errors.Interrupted` (exit 130). While the
node runs, the supervisor's loop handlers take over (a graceful node stop first).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType

from runner.errors import Interrupted

received: list[str] = []


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    received.append(signal.Signals(signum).name)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _record_sigint(signum: int, frame: FrameType | None) -> None:
    _raise_interrupt(signum, frame)


def _record_only(signum: int, _frame: FrameType | None) -> None:
    received.append(signal.Signals(signum).name)


@contextlib.contextmanager
def deferred() -> Iterator[Callable[[], bool]]:
    """Inside, SIGINT/SIGTERM are only recorded; the yielded function tells whether one arrived.

    For work that must not be interrupted halfway: a KeyboardInterrupt raised inside a C
    extension's module initialisation (numpy, pydantic-core, nautilus) surfaces as an unrelated
    ImportError. The caller checks at safe points and raises KeyboardInterrupt itself.
    """
    saved = current()
    mark = len(received)
    signal.signal(signal.SIGINT, _record_only)
    signal.signal(signal.SIGTERM, _record_only)
    try:
        yield lambda: len(received) > mark
    finally:
        restore(saved)


def install() -> None:
    signal.signal(signal.SIGINT, _record_sigint)
    signal.signal(signal.SIGTERM, _raise_interrupt)


def last() -> str:
    return received[-1] if received else "SIGINT"


def interrupted_before_the_node() -> Interrupted:
    return Interrupted(f"interrupted by {last()} before the node ran; nothing left running")


def current() -> tuple[object, object]:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def restore(saved: tuple[object, object]) -> None:
    for sig, handler in zip((signal.SIGINT, signal.SIGTERM), saved, strict=True):
        if handler is not None:
            signal.signal(sig, handler)  # type: ignore[arg-type]
