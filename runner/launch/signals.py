"""Process-wide signal handling outside event loops: SIGTERM behaves like Ctrl-C.

The console entry installs it before anything else is imported. From then on the first SIGINT or
SIGTERM raises ``KeyboardInterrupt`` in the main thread: the `with` blocks on the way out stop
whatever was started (simulator, container), and the CLI reports exit 130. Later signals, and any
once the node has stopped (:func:`stopping`), are only recorded: the clean-up they would
interrupt is what leaves nothing behind. Long-running phases
(the node, a download, the simulator) install their own loop handlers; the node's supervisor
records here too.

A ``KeyboardInterrupt`` raised while Python runs a weakref callback or ``__del__`` (imports run
them all the time) is printed as "Exception ignored" and lost. So :func:`check` raises it again
at the next stage boundary, and the CLI reports any recorded signal as the interruption.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

received: list[str] = []
"""Names of the signals received, oldest first."""
_stopping = False

SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handlers = tuple[object, object]


def install() -> None:
    global _stopping
    received.clear()
    _stopping = False
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (ibrun called from a thread, as tests do)
    for sig in SIGNALS:
        signal.signal(sig, _on_signal)
    sys.unraisablehook = _unraisable


def record(sig: signal.Signals) -> bool:
    """Record ``sig``; True if it is the first (the one that stops ibrun)."""
    received.append(sig.name)
    return len(received) == 1


def stopping() -> None:
    """From now on signals are only recorded: ibrun is on its way out, and the clean-up must finish."""
    global _stopping
    _stopping = True


def check() -> None:
    """Raise KeyboardInterrupt if a signal came whose KeyboardInterrupt was lost (see above)."""
    if received:
        raise KeyboardInterrupt(received[0])


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    if record(signal.Signals(signum)) and not _stopping:
        raise KeyboardInterrupt(signal.Signals(signum).name)


def _unraisable(unraisable: Any) -> None:
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return  # recorded: `check` raises it again, and it is no traceback for users to read
    sys.__unraisablehook__(unraisable)


def first() -> str:
    """The signal that stopped ibrun (SIGINT when none was recorded: a KeyboardInterrupt)."""
    return received[0] if received else "SIGINT"


def current() -> Handlers:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def restore(saved: Handlers) -> None:
    for sig, handler in zip(SIGNALS, saved, strict=True):
        if handler is not None:
            signal.signal(sig, handler)  # type: ignore[arg-type]
