"""`alerts:` — where `ibrun run` sends notifications, for which events, how often."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal, get_args

from runner.model.base import Constraints, Frozen, Seconds, section
from runner.model.gateway import SecretRef

AlertEvent = Literal[
    "disconnect",
    "reconnect",
    "stale_data",
    "data_resumed",
    "order_rejected",
    "login_needed",
    "reconciliation_mismatch",
    "node_stopped",
]
ALL_EVENTS: tuple[AlertEvent, ...] = get_args(AlertEvent)


# Default factories are named functions: the stored core schema refers to them by name.
def all_events() -> list[AlertEvent]:
    return list(ALL_EVENTS)


@section
class Destination(Frozen):
    """One place alerts go: an Apprise URL (`json://host:port/path` for a generic JSON webhook,
    `slack://…`, `tgram://BOT_TOKEN/CHAT_ID`, `mailtos://user:password@host`, …)."""

    url: str | SecretRef
    """The URL, or `{env: VAR}` / `{file: PATH}` holding it. A URL that carries a token or a
    password must be a reference: only plain JSON/XML/form webhooks may be written inline."""
    name: str | None = None
    """How ibrun names this destination in its own messages (never the URL); default: the scheme."""
    events: list[AlertEvent] | None = None
    """Events sent here; default: `alerts.events`."""


@section
class RateLimit(Frozen):
    """At most one alert per event and subject (an instrument, a client) per `per_subject`
    seconds, and at most `per_minute` alerts in any minute; what is held back is counted in the
    next alert. `node_stopped` is always sent."""

    per_subject: Seconds = 300.0
    per_minute: Annotated[int, Constraints(ge=1)] = 10


@section
class Alerts(Frozen):
    """Notifications while `ibrun run` runs (sent by Apprise, in the background)."""

    destinations: Annotated[list[Destination], Constraints(min_length=1)]
    events: list[AlertEvent] = field(default_factory=all_events)
    """Events sent to a destination without its own `events`."""
    rate_limit: RateLimit = field(default_factory=RateLimit)
