"""`monitoring:` — health and metrics endpoints and the staleness watchdog of `ibrun run`."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.model.base import Constraints, Frozen, Seconds, section


@section
class ExpectedIntervals(Frozen):
    """Seconds between two data of a healthy subscription while its market is open. A bar
    subscription expects one bar per bar length (a `1-MINUTE` bar every 60 s)."""

    quotes: Seconds = 30.0
    trades: Seconds = 120.0
    book: Seconds = 30.0
    """Order book (depth) updates."""


@section
class InstrumentIntervals(Frozen):
    """Expected intervals for one instrument, overriding `monitoring.expected`."""

    quotes: Seconds | None = None
    trades: Seconds | None = None
    book: Seconds | None = None


@section
class Monitoring(Frozen):
    """Health, readiness and Prometheus metrics over HTTP, and the staleness watchdog."""

    listen: str | None = None
    """`HOST:PORT` to serve `/healthz`, `/readyz` and `/metrics` on (e.g. `127.0.0.1:9464`; port 0:
    a free port, printed at start). Absent: no HTTP server (the watchdog still runs)."""
    allow_remote: bool = False
    """Allow a non-loopback `listen` host (e.g. `0.0.0.0` for a scrape from another container)."""
    watchdog: bool = True
    """Flag subscriptions that fall silent while their market is open and re-subscribe them."""
    expected: ExpectedIntervals = field(default_factory=ExpectedIntervals)
    instruments: dict[str, InstrumentIntervals] = field(default_factory=dict)
    """Per-instrument expected intervals, keyed by instrument id (e.g. `EUR/USD.IDEALPRO`)."""
    tolerance: Annotated[float, Constraints(ge=1.0, le=10.0)] = 1.5
    """A subscription is stale after `tolerance` x its expected interval without data."""
    resubscribe_attempts: Annotated[int, Constraints(ge=0, le=100)] = 3
    """Re-subscriptions of a stale subscription, one stale window apart (0: only report it)."""
    market_hours: Literal["contract", "always"] = "contract"
    """`contract`: silence is expected outside the instrument's trading hours (its contract
    details); `always`: every subscription should deliver around the clock."""
    reconnect_max_delay: Seconds | None = 2.0
    """Cap of the IB client's reconnect back-off (nautilus doubles it up to 300 s, so a node could
    sleep minutes after the gateway is back), and how often a client tries a gateway that refuses
    connections (its restart window); null keeps nautilus' back-off and tries every 5 s."""
    login_needed_after: Seconds = 300.0
    """A gateway refusing connections for this long probably needs a fresh login (IB's weekly
    re-authentication with 2FA): the `login_needed` alert."""
