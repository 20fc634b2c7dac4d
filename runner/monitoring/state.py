"""Bookkeeping between the node and the watchdog: connection history per IB client, last-data
times per subscription, positions as plain values."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from runner.monitoring.snapshot import PositionState
from runner.monitoring.stats import InstrumentStats
from runner.monitoring.watchdog import Watch, Watchdog


@dataclass
class LinkWatch:
    """The connection history of one IB client (``link``: anything with ``connected``)."""

    link: Any
    connected: bool = False
    ever_connected: bool = False
    down_since: float | None = None
    reconnects: int = 0
    last_outage: float = 0.0
    restored_at: float | None = None
    login_alerted: bool = False

    def poll(self, now: float) -> Literal["lost", "restored"] | None:
        connected = bool(self.link.connected)
        was, self.connected = self.connected, connected
        if connected and not was:
            first = not self.ever_connected
            self.ever_connected = True
            if first:
                return None
            self.reconnects += 1
            self.last_outage = now - (self.down_since if self.down_since is not None else now)
            self.down_since, self.restored_at, self.login_alerted = None, now, False
            return "restored"
        if was and not connected:
            self.down_since = now
            return "lost"
        return None

    def down_for(self, now: float) -> float | None:
        return None if self.down_since is None else now - self.down_since

    def login_overdue(self, now: float, after: float) -> bool:
        """True once per outage, when it has lasted ``after`` seconds."""
        if self.down_since is None or self.login_alerted or now - self.down_since < after:
            return False
        self.login_alerted = True
        return True


def tell_connection(watchdog: Watchdog, data_links: list[LinkWatch], now: float) -> None:
    """Whether the data connection is up, for the watchdog: lost while any data link is down,
    restored once all are up — the first connect too (before it, nothing was expected; without
    it a silent subscription would be held `paused` forever instead of turning stale)."""
    if any(not watch.connected for watch in data_links):
        watchdog.connection_lost(now)
    elif not watchdog.connected or any(watch.restored_at == now for watch in data_links):
        watchdog.connection_restored(now)


def data_times(watches: list[Watch], stats: dict[str, InstrumentStats]) -> Iterator[tuple[str, float]]:
    """(watch key, monotonic time of its last data) for every watched subscription with data."""
    for watch in watches:
        instrument = stats.get(watch.instrument)
        if instrument is None:
            continue
        if watch.kind == "quotes":
            at = instrument.quote_at
        elif watch.kind == "trades":
            at = instrument.trade_at
        elif watch.kind == "book":
            at = instrument.book_at
        else:
            at = instrument.bar_at.get(watch.detail)
        if at is not None:
            yield watch.key, at


def position_states(node: Any) -> tuple[PositionState, ...]:
    """One value per instrument: its positions (open and closed) summed."""
    cache, portfolio = node.cache, node.portfolio
    totals: dict[str, PositionState] = {}
    for position in cache.positions():
        key = str(position.instrument_id)
        realized = position.realized_pnl.as_double() if position.realized_pnl is not None else 0.0
        before = totals.get(key)
        totals[key] = PositionState(
            instrument=key,
            quantity=float(position.signed_qty) + (before.quantity if before else 0.0),
            realized=realized + (before.realized if before else 0.0),
            unrealized=before.unrealized if before else _unrealized(portfolio, position.instrument_id),
            currency=str(position.quote_currency),
        )
    return tuple(totals[key] for key in sorted(totals))


def _unrealized(portfolio: Any, instrument_id: Any) -> float | None:
    try:
        money = portfolio.unrealized_pnl(instrument_id)
    except Exception:  # the portfolio raises without prices for the instrument
        return None
    return money.as_double() if money is not None else None
