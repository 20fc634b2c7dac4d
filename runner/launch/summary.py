"""What a run did: collected from the node's cache/portfolio and the subscriber's counters.

With a cache database, a node starts with the orders and positions of earlier runs (loaded from
Redis before it starts), and reconciliation adds what it finds at IB that the cache did not know.
Neither is this run's doing: :func:`remember_recovered` notes what the cache held after the node
was built, and the summary counts those, the external ones and this run's apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.monitoring.stats import InstrumentStats


@dataclass(frozen=True)
class PositionLine:
    instrument: str
    side: str
    quantity: str
    avg_px: str
    realized: str
    unrealized: str
    origin: str = ""
    """`recovered` (from the cache database), `external` (found at IB by reconciliation), or ``""``."""


@dataclass
class OrderGroup:
    """Orders of one origin: how many, by status, and their client order ids."""

    count: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    fills: int = 0
    """Fills this run applied to them (for recovered orders: what IB filled while the node was away)."""


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
    recovered_orders: OrderGroup = field(default_factory=OrderGroup)
    """Orders the node had from its cache database before it started."""
    external_orders: OrderGroup = field(default_factory=OrderGroup)
    """Orders reconciliation created: found at IB, or generated to align positions with IB's."""
    started_ns: int = 0
    """When the node was built (nanoseconds): fills before it are not this run's."""
    recovered_order_ids: frozenset[str] = frozenset()
    recovered_position_ids: frozenset[str] = frozenset()

    def totals(self) -> InstrumentStats:
        total = InstrumentStats()
        for stats in self.stats.values():
            total.quotes += stats.quotes
            total.trades += stats.trades
            total.bars += stats.bars
            total.book += stats.book
        return total


def remember_recovered(summary: RunSummary, node: Any) -> None:
    """Note the orders and positions the built node already holds (loaded from its cache database)."""
    cache = node.cache
    summary.started_ns = node.kernel.clock.timestamp_ns()
    summary.recovered_order_ids = frozenset(str(order.client_order_id) for order in cache.orders())
    summary.recovered_position_ids = frozenset(str(position.id) for position in cache.positions())


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

    groups = {"run": OrderGroup(), "recovered": OrderGroup(), "external": OrderGroup()}
    for order in cache.orders():
        group = groups[order_origin(summary, order)]
        _count(group, order)
        group.fills += sum(
            1 for event in order.events if isinstance(event, OrderFilled) and event.ts_init >= summary.started_ns
        )
    summary.orders = groups["run"].count
    summary.orders_by_status = groups["run"].by_status
    summary.recovered_orders, summary.external_orders = groups["recovered"], groups["external"]
    summary.fills = groups["run"].fills


# Events only an order placed by this node has (through its risk engine or emulator); an order that
# reconciliation creates from IB's reports goes from initialized straight to IB's status.
_LOCAL_EVENTS = frozenset({"OrderSubmitted", "OrderDenied", "OrderEmulated", "OrderReleased"})


def order_origin(summary: RunSummary, order: Any) -> str:
    """`recovered` (from the cache database), `external` (reconciliation made it) or `run`."""
    if str(order.client_order_id) in summary.recovered_order_ids:
        return "recovered"
    if order.strategy_id.value == "EXTERNAL":
        return "external"
    events = order.events
    if len(events) == 1:  # just initialized by a strategy (reconciliation's are never left so)
        return "run"
    return "run" if any(type(event).__name__ in _LOCAL_EVENTS for event in events) else "external"


def _count(group: OrderGroup, order: Any) -> None:
    status = order.status_string().lower()
    group.count += 1
    group.by_status = dict(sorted({**group.by_status, status: group.by_status.get(status, 0) + 1}.items()))
    group.ids.append(str(order.client_order_id))


def _position_origin(summary: RunSummary, position: Any) -> str:
    if str(position.id) in summary.recovered_position_ids:
        return "recovered"
    return "external" if position.strategy_id.value == "EXTERNAL" else ""


def _collect_positions(summary: RunSummary, node: Any) -> None:
    from nautilus_trader.model.enums import position_side_to_str

    cache, portfolio = node.cache, node.portfolio
    lines = []
    for position in cache.positions():
        position_pnl = _safe(lambda p=position: portfolio.unrealized_pnl(p.instrument_id))
        lines.append(
            PositionLine(
                instrument=str(position.instrument_id),
                side=position_side_to_str(position.side),
                quantity=str(position.quantity),
                avg_px=f"{position.avg_px_open:g}",
                realized=str(position.realized_pnl) if position.realized_pnl is not None else "-",
                unrealized=str(position_pnl) if position_pnl is not None else "-",
                origin=_position_origin(summary, position),
            )
        )
    summary.positions = lines
    # Per position, by currency: the portfolio's per-venue sums look at IB_VENUE only, while IB
    # positions live on the instruments' venues (NASDAQ, IDEALPRO, ...).
    realized: dict[str, float] = {}
    unrealized: dict[str, float] = {}
    for position in cache.positions():
        _add(realized, position.realized_pnl)
        _add(unrealized, _safe(lambda p=position: portfolio.unrealized_pnl(p.instrument_id)))
    summary.realized_pnl = _format_sums(realized)
    summary.unrealized_pnl = _format_sums(unrealized)


def _add(sums: dict[str, float], money: Any) -> None:
    if money is not None:
        code = money.currency.code
        sums[code] = sums.get(code, 0.0) + money.as_double()


def _format_sums(sums: dict[str, float]) -> list[str]:
    return [f"{value:.2f} {code}" for code, value in sorted(sums.items())]


def _safe(func: Any) -> Any:
    try:
        return func()
    except Exception:  # the portfolio raises when prices/instruments are missing
        return None
