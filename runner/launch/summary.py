"""What a run did: collected from the node's cache/portfolio and the subscriber's counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.launch.subscriber import InstrumentStats


@dataclass(frozen=True)
class PositionLine:
    instrument: str
    side: str
    quantity: str
    avg_px: str
    realized: str
    unrealized: str


@dataclass
class RunSummary:
    trader_id: str
    gateway: str
    """`existing|simulated|docker host:port`."""
    dry_run: bool = False
    stop_reason: str = ""
    """`duration`, `signal SIGINT`, `stopped by the node` (e.g. a strategy's shutdown_system)."""
    interrupted: bool = False
    startup_seconds: float | None = None
    """Seconds from start to RUNNING."""
    running_seconds: float = 0.0
    instruments: list[str] = field(default_factory=list)
    stats: dict[str, InstrumentStats] = field(default_factory=dict)
    orders: int = 0
    orders_by_status: dict[str, int] = field(default_factory=dict)
    fills: int = 0
    positions: list[PositionLine] = field(default_factory=list)
    realized_pnl: list[str] = field(default_factory=list)
    unrealized_pnl: list[str] = field(default_factory=list)
    strategies: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    has_exec: bool = False
    notes: list[str] = field(default_factory=list)

    def totals(self) -> InstrumentStats:
        total = InstrumentStats()
        for stats in self.stats.values():
            total.quotes += stats.quotes
            total.trades += stats.trades
            total.bars += stats.bars
            total.book += stats.book
        return total


def collect(summary: RunSummary, node: Any, stats: dict[str, InstrumentStats]) -> RunSummary:
    """Fill the counts of ``summary`` from a (stopped or running) node."""
    cache = node.cache
    summary.instruments = sorted(str(instrument.id) for instrument in cache.instruments())
    summary.stats = {key: _copy(value) for key, value in sorted(stats.items())}
    _collect_orders(summary, cache)
    _collect_positions(summary, node)
    return summary


def _copy(stats: InstrumentStats) -> InstrumentStats:
    return InstrumentStats(**vars(stats))


def _collect_orders(summary: RunSummary, cache: Any) -> None:
    from nautilus_trader.model.events import OrderFilled

    orders = cache.orders()
    summary.orders = len(orders)
    by_status: dict[str, int] = {}
    fills = 0
    for order in orders:
        status = order.status_string().lower()
        by_status[status] = by_status.get(status, 0) + 1
        fills += sum(1 for event in order.events if isinstance(event, OrderFilled))
    summary.orders_by_status = dict(sorted(by_status.items()))
    summary.fills = fills


def _collect_positions(summary: RunSummary, node: Any) -> None:
    from nautilus_trader.adapters.interactive_brokers.common import IB_VENUE

    cache, portfolio = node.cache, node.portfolio
    lines = []
    for position in cache.positions():
        unrealized = _safe(lambda p=position: portfolio.unrealized_pnl(p.instrument_id))
        lines.append(
            PositionLine(
                instrument=str(position.instrument_id),
                side=position.side_string(),
                quantity=str(position.quantity),
                avg_px=f"{position.avg_px_open:g}",
                realized=str(position.realized_pnl) if position.realized_pnl is not None else "-",
                unrealized=str(unrealized) if unrealized is not None else "-",
            )
        )
    summary.positions = lines
    summary.realized_pnl = _money_list(_safe(lambda: portfolio.realized_pnls(IB_VENUE)))
    summary.unrealized_pnl = _money_list(_safe(lambda: portfolio.unrealized_pnls(IB_VENUE)))


def _money_list(values: Any) -> list[str]:
    if not values:
        return []
    return [str(money) for money in values.values()]


def _safe(func: Any) -> Any:
    try:
        return func()
    except Exception:  # the portfolio raises when prices/instruments are missing
        return None
