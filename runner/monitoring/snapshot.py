"""The state of a running node at one moment, and whether it is ready (pure values).

The event loop builds a :class:`Snapshot` a few times a second; the HTTP thread only reads the
latest one (an immutable value swapped in whole), so nothing of nautilus is touched off the loop.
`/readyz`, `/metrics` and `ibrun status` all show the same snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.monitoring.watchdog import SubscriptionStatus

FARM_CODES = {"market": "2103", "hmds": "2105", "secdef": "2157"}


@dataclass(frozen=True)
class ClientState:
    client_id: int
    roles: tuple[str, ...]
    connected: bool
    reconnects: int
    down_for: float | None
    """Seconds since it lost the connection (None: connected)."""


@dataclass(frozen=True)
class PositionState:
    instrument: str
    quantity: float
    """Signed: negative for short."""
    realized: float
    unrealized: float | None
    currency: str


@dataclass(frozen=True)
class Snapshot:
    trader_id: str
    phase: str
    """`starting`, `running`, `stopping` or `stopped`."""
    taken_at: float
    """`time.monotonic()` when taken (the event loop's heartbeat)."""
    running_seconds: float = 0.0
    startup_seconds: float | None = None
    instrument_load_seconds: float | None = None
    clients: tuple[ClientState, ...] = ()
    instruments_loaded: int = 0
    instruments_missing: tuple[str, ...] = ()
    farms_broken: tuple[str, ...] = ()
    subscriptions: tuple[SubscriptionStatus, ...] = ()
    received: dict[tuple[str, str], int] = field(default_factory=dict)
    """(instrument, quotes|trades|bars|book) → messages received."""
    order_events: dict[str, int] = field(default_factory=dict)
    positions: tuple[PositionState, ...] = ()
    errors: dict[int, int] = field(default_factory=dict)
    """IB error/status code → how many times seen."""
    resubscribes: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0


def readiness(s: Snapshot) -> list[str]:
    """Why the node is not ready to trade on live data (empty: ready)."""
    reasons = []
    if s.phase != "running":
        reasons.append(f"the node is {s.phase}")
    for client in s.clients:
        if not client.connected:
            down = f" for {client.down_for:.0f}s" if client.down_for is not None else ""
            reasons.append(f"IB client {client.client_id} ({'+'.join(client.roles)}) is disconnected{down}")
    if s.instruments_missing:
        reasons.append(f"instruments not loaded: {', '.join(s.instruments_missing)}")
    if "market" in s.farms_broken:
        reasons.append("IB reports the market data farm broken (2103)")
    for sub in s.subscriptions:
        if sub.state == "waiting":  # subscribed, reconnected or a farm back: not delivering yet
            reasons.append(f"{sub.watch.key}: no data yet since it (re)started (expected within {sub.stale_after:g}s)")
        if sub.state == "stale":
            silent = "no data yet" if sub.age is None else f"no data for {sub.age:.1f}s"
            reasons.append(f"{sub.watch.key}: stale, {silent} (expected within {sub.stale_after:g}s)")
    return reasons


def to_json(s: Snapshot) -> dict[str, Any]:
    reasons = readiness(s)
    return {
        "ready": not reasons,
        "reasons": reasons,
        "trader_id": s.trader_id,
        "phase": s.phase,
        "running_seconds": round(s.running_seconds, 3),
        "clients": [
            {
                "client_id": c.client_id,
                "roles": list(c.roles),
                "connected": c.connected,
                "reconnects": c.reconnects,
                "down_seconds": None if c.down_for is None else round(c.down_for, 3),
            }
            for c in s.clients
        ],
        "instruments": {"loaded": s.instruments_loaded, "missing": list(s.instruments_missing)},
        "farms_broken": list(s.farms_broken),
        "subscriptions": [_subscription(sub, s.received) for sub in s.subscriptions],
        "orders": dict(sorted(s.order_events.items())),
        "positions": [vars(p) for p in s.positions],
        "ib_errors": {str(code): count for code, count in sorted(s.errors.items())},
    }


def _subscription(sub: SubscriptionStatus, received: dict[tuple[str, str], int]) -> dict[str, Any]:
    watch = sub.watch
    return {
        "instrument": watch.instrument,
        "kind": watch.kind,
        "bar": watch.detail or None,
        "state": sub.state,
        "age_seconds": None if sub.age is None else round(sub.age, 3),
        "expected_seconds": watch.expected,
        "stale_after_seconds": sub.stale_after,
        "resubscribes": sub.resubscribes,
        "received": received.get((watch.instrument, watch.kind), 0),
    }
