"""The two processes of `ibrun run` (see `runner.cli.entry`): a forked child runs the ordinary CLI
up to the launch plan and hands it over; the parent imports nautilus meanwhile, then runs it.

The child answers once, pickled through a pipe: ``("plan", (plan, options, show_traceback))``
when the run command got that far, or ``("exit", code)`` when the CLI ended earlier (usage or
spec errors, `--help`: it printed them itself). The parent reads the answer between its import
steps, so an early exit does not wait for nautilus.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

_child_pipe: int | None = None  # set in the child: where its one answer goes


def in_child() -> bool:
    return _child_pipe is not None


def send_plan(plan: Any, options: Any, show_traceback: bool) -> NoReturn:
    """In the child: hand the plan to the parent and end here (the parent runs the node)."""
    _answer_and_exit(("plan", (plan, options, show_traceback)), 0)


class Handoff:
    """Fork a child running ``child_main``; use as a context manager (the child never outlives it)."""

    def __init__(self, child_main: Callable[[], object]) -> None:
        self.answer: tuple[str, Any] | None = None
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            os.close(read_end)
            _child(write_end, child_main)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")

    def __enter__(self) -> Handoff:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._pipe.close()
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)  # only if it is still running (interrupted)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def exited_early(self) -> bool:
        """Whether the child has answered with an exit (never waits)."""
        if self.answer is None and select.select([self._pipe], [], [], 0)[0]:
            self.result()
        return self.answer is not None and self.answer[0] == "exit"

    def result(self) -> tuple[str, Any]:
        if self.answer is None:
            data = self._pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            # No answer: killed (the Ctrl-C the parent got too, or the OOM killer).
            self.answer = _loads(data) if data else ("exit", _status_code(status))
        return self.answer


def _loads(data: bytes) -> tuple[str, Any]:
    # Unpickling may import pydantic-core (a plan that carries the spec): not to be interrupted
    # halfway (see `signals.deferred`); a signal that arrived meanwhile is raised right after.
    from runner.launch import signals

    with signals.deferred() as interrupted:
        answer = pickle.loads(data)
    if interrupted():
        raise KeyboardInterrupt
    return answer


def _child(write_end: int, child_main: Callable[[], object]) -> NoReturn:
    global _child_pipe
    _child_pipe = write_end
    # Ctrl-C reaches the whole process group: the child just dies, the parent reports it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        child_main()
        code = 0
    except SystemExit as exit_:
        code = _exit_code(exit_.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    _answer_and_exit(("exit", code), code)


def _answer_and_exit(answer: tuple[str, Any], code: int) -> NoReturn:
    assert _child_pipe is not None
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(BrokenPipeError), os.fdopen(_child_pipe, "wb") as pipe:
        pipe.write(pickle.dumps(answer))
    os._exit(code)  # no atexit handlers, no second flush of buffers copied from the parent


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"), as Python itself would print it
    return 1


def _status_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
