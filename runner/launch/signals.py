"""Process-wide signal handling outside the node's event loop: SIGTERM behaves like Ctrl-C.

The console entry installs it before any command runs. From then on the first SIGINT or SIGTERM
raises ``KeyboardInterrupt`` in the main thread: the `with` blocks on the way out stop whatever
was started (simulator, container), and the command reports :class:`runner.errors.Interrupted`
(exit 130). Later signals are only recorded: the clean-up they would interrupt is what leaves
nothing behind. While the node runs, the supervisor's loop handlers take over (a graceful stop
first) and record the signal here too.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

received: list[str] = []
"""Names of the signals received, oldest first."""

SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handlers = tuple[object, object]


def install() -> None:
    received.clear()
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (ibrun called from a thread, as tests do)
    for sig in SIGNALS:
        signal.signal(sig, _on_signal)


def record(sig: signal.Signals) -> bool:
    """Record ``sig``; True if it is the first (the one that stops ibrun)."""
    received.append(sig.name)
    return len(received) == 1


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    if record(signal.Signals(signum)):
        raise KeyboardInterrupt(signal.Signals(signum).name)


def first() -> str:
    """The signal that stopped ibrun (SIGINT when none was recorded: a KeyboardInterrupt)."""
    return received[0] if received else "SIGINT"


def current() -> Handlers:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def restore(saved: Handlers) -> None:
    for sig, handler in zip(SIGNALS, saved, strict=True):
        if handler is not None:
            signal.signal(sig, handler)  # type: ignore[arg-type]
