"""The gateway's own condition, apart from IB's servers: up, in its daily restart, or waiting for
the weekly login with two-factor authentication.

A real IB Gateway restarts once a day: every API client is dropped and connections are refused
until it is back, with the same orders, positions and executions (they live at IB). Once a week
the restarted gateway also needs a fresh login that a human completes (2FA); until then it
refuses connections too. Pure state: the times are the caller's (seconds since the epoch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Phase = Literal["up", "restarting", "login_required", "returning"]


class GatewayBusy(ValueError):
    """A scenario that needs the gateway in another phase (e.g. a restart while it is down)."""


@dataclass
class GatewayState:
    down_since: float | None = None
    restart_until: float | None = None
    login_pending: bool = False
    back_at: float | None = None
    """When it last came back (started listening again)."""
    restarts: int = 0
    logins: int = 0

    @property
    def accepting(self) -> bool:
        return self.down_since is None

    def phase(self, now: float) -> Phase:
        if self.down_since is None:
            return "up"
        if self.restart_until is not None and now < self.restart_until:
            return "restarting"
        return "login_required" if self.login_pending else "returning"

    def begin_restart(self, now: float, seconds: float, relogin: bool) -> None:
        """Down for ``seconds``; with ``relogin`` also until `complete_login`."""
        if not self.accepting:
            raise GatewayBusy(f"the gateway is already down ({self.phase(now)})")
        if seconds < 0:
            raise GatewayBusy(f"a restart cannot last {seconds:g}s")
        self.down_since, self.restart_until = now, now + seconds
        self.login_pending = relogin
        self.restarts += 1

    def complete_login(self) -> None:
        """The human completed the login (2FA): back once the restart window has passed."""
        if not self.login_pending:
            raise GatewayBusy("no login is pending")
        self.login_pending = False
        self.logins += 1

    def may_return(self, now: float) -> bool:
        return self.phase(now) == "returning"

    def returned(self, now: float) -> None:
        """Listening again."""
        self.down_since = self.restart_until = None
        self.back_at = now

    def report(self, now: float) -> dict[str, Any]:
        return {
            "phase": self.phase(now),
            "down_since": self.down_since,
            "restart_until": self.restart_until,
            "login_pending": self.login_pending,
            "back_at": self.back_at,
            "restarts": self.restarts,
            "logins": self.logins,
        }
