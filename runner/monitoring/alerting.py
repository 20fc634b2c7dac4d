"""Alerts as values, their rate limit and their redaction (pure: no apprise, no clock).

`RateLimiter.admit` decides whether an alert goes out now: one per event and subject (an
instrument's subscription, a client, an order) per ``per_subject`` seconds, and at most
``per_minute`` in any 60 seconds. What it holds back is counted and told in the next alert that
goes out. `node_stopped` always goes out: it is the last word of a run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["info", "success", "warning", "failure"]
ALWAYS_SENT = frozenset({"node_stopped"})
MASK = "********"


@dataclass(frozen=True)
class Alert:
    event: str
    subject: str
    """What it is about: `SPY.ARCA quotes`, `client 1`, an order id."""
    title: str
    body: str
    severity: Severity = "warning"


@dataclass
class RateLimiter:
    per_subject: float = 300.0
    per_minute: int = 10
    _last: dict[tuple[str, str], float] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)
    _held: int = 0

    def admit(self, alert: Alert, now: float) -> Alert | None:
        """The alert to send now (with a note of what was held back), or None to hold it back."""
        key = (alert.event, alert.subject)
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if alert.event not in ALWAYS_SENT:
            last = self._last.get(key)
            if (last is not None and now - last < self.per_subject) or len(self._recent) >= self.per_minute:
                self._held += 1
                return None
        self._last[key] = now
        self._recent.append(now)
        if self._held:
            held, self._held = self._held, 0
            return replace(
                alert, body=f"{alert.body}\n({held} more alert{'s' if held > 1 else ''} held back by the rate limit)"
            )
        return alert


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value (and its URL-quoted form) replaced by a mask."""
    from urllib.parse import quote

    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK).replace(quote(secret, safe=""), MASK)
    return text


def secret_parts(url: str) -> list[str]:
    """The pieces of an alert URL that are secret: the whole URL and each path/user/password part
    (tokens live there: `tgram://TOKEN/CHAT`, `slack://A/B/C`, `mailtos://user:pw@host`)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    pieces = [url, parts.password or "", parts.username or ""]
    pieces += [piece for piece in (parts.netloc.rpartition("@")[2], *parts.path.split("/")) if len(piece) >= 8]
    pieces += [value for _, _, value in (item.partition("=") for item in parts.query.split("&")) if len(value) >= 8]
    return [piece for piece in pieces if piece]
