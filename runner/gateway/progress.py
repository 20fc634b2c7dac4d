"""A one-line rich status while waiting for the gateway's API (stderr; silent when disabled)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any


class ReadinessDisplay:
    def __init__(self, name: str, port: int, timeout: float, *, enabled: bool) -> None:
        self._name, self._port, self._timeout = name, port, timeout
        self._enabled = enabled
        self._started = time.monotonic()
        self._status: Any = None

    def __enter__(self) -> ReadinessDisplay:
        if self._enabled:
            from rich.console import Console

            console = Console(stderr=True)
            self._status = console.status(self._text("starting"), spinner="dots")
            self._status.__enter__()
        return self

    def update(self, last_error: str) -> None:
        if self._status is not None:
            self._status.update(self._text(_short(last_error)))

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.__exit__(kind, error, tb)

    def _text(self, state: str) -> str:
        from rich.markup import escape

        state = escape(state)
        elapsed = time.monotonic() - self._started
        return (
            f"waiting for gateway [bold]{self._name}[/] API on 127.0.0.1:{self._port} "
            f"({elapsed:.0f}s / {self._timeout:g}s): {state}"
        )


def _short(message: str) -> str:
    first = message.split(":")[0] if "refused" in message else message
    return first[:80]
