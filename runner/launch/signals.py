"""Process-wide signal handling outside event loops: SIGTERM and SIGHUP behave like Ctrl-C.

The console entry installs it before anything else is imported. From then on the first SIGINT,
SIGTERM or SIGHUP raises ``KeyboardInterrupt`` in the main thread: the `with` blocks on the way
out stop whatever was started (simulator, container, secret files), and the CLI reports exit 130.
Later signals, and any once the node has stopped (:func:`stopping`), are only recorded: the
clean-up they would interrupt is what leaves nothing behind. Long-running phases (the node, a
download) install their own loop handlers for :func:`handled` signals and record here too.

SIGHUP is what a closed terminal or a dropped SSH session sends. The terminal is gone by then:
writing to it fails (EIO), so standard output and error that were that terminal are pointed at
/dev/null (:func:`record`) and the orderly stop goes on silently. A SIGHUP that was ignored when
ibrun started (``nohup``) stays ignored.

A ``KeyboardInterrupt`` raised while Python runs a weakref callback or ``__del__`` (imports run
them all the time) is printed as "Exception ignored" and lost. So :func:`check` raises it again
at the next stage boundary, and the CLI reports any recorded signal as the interruption.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asyncio import AbstractEventLoop

received: list[str] = []
"""Names of the signals received, oldest first."""
_stopping = False

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
Handlers = tuple[object, ...]
_handled: tuple[signal.Signals, ...] = SIGNALS
_terminal_fds: tuple[int, ...] = ()
"""Standard output/error descriptors that were a terminal when ibrun started."""


def install() -> None:
    global _stopping, _handled, _terminal_fds
    received.clear()
    _stopping = False
    _terminal_fds = tuple(fd for fd in (1, 2) if _isatty(fd))
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (ibrun called from a thread, as tests do)
    nohup = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    _handled = tuple(sig for sig in SIGNALS if not (sig == signal.SIGHUP and nohup))
    for sig in _handled:
        signal.signal(sig, _on_signal)
    sys.unraisablehook = _unraisable


def console_moved(moved: dict[int, int]) -> None:
    """The console that was descriptor ``fd`` is now ``moved[fd]`` (`runner.launch.console`)."""
    global _terminal_fds
    _terminal_fds = tuple(moved.get(fd, fd) for fd in _terminal_fds)


def handled() -> tuple[signal.Signals, ...]:
    """The signals that stop ibrun (SIGHUP unless it was ignored at start: nohup)."""
    return _handled


def record(sig: signal.Signals) -> bool:
    """Record ``sig``; True if it is the first (the one that stops ibrun)."""
    if sig == signal.SIGHUP:
        _leave_hung_up_terminal()
    received.append(sig.name)
    return len(received) == 1


def _leave_hung_up_terminal() -> None:
    """Point stdout/stderr at /dev/null where they were a terminal that has hung up (a terminal
    that no longer answers as one), so the orderly stop is not broken off by EIO on a write."""
    hung_up = [fd for fd in _terminal_fds if not _isatty(fd)]
    if not hung_up:
        return  # `kill -HUP` with the terminal still there: the summary is still worth printing
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in hung_up:
            os.dup2(null, fd)
    finally:
        os.close(null)


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


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
    return tuple(signal.getsignal(sig) for sig in SIGNALS)


def restore(saved: Handlers) -> None:
    for sig, handler in zip(SIGNALS, saved, strict=True):
        if handler is not None:
            signal.signal(sig, handler)  # type: ignore[arg-type]


def quiet_cancellations(loop: AbstractEventLoop, context: dict[str, Any]) -> None:
    """An event loop's exception handler for runs stopped by a signal (`ibrun run`, a download).

    nautilus' IB client calls `task.exception()` in its task callbacks, which raises
    CancelledError inside the callback for each task cancelled on the way out (its reconnect
    tasks, `_reset_async` and `_resume_async`, when the gateway went away): expected, not an
    error. Everything else goes to asyncio's default handler."""
    import asyncio  # loaded already (a loop calls this); not at the top: every command imports this module

    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)
