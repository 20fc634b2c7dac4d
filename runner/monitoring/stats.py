"""Per-instrument data counters and order news the run collects (no nautilus import: the live
status, the summary and the monitoring read them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InstrumentStats:
    quotes: int = 0
    trades: int = 0
    bars: int = 0
    book: int = 0
    last: str = ""
    """Last price seen: trade price, else quote mid, else bar close."""
    bid: str = ""
    ask: str = ""
    quote_at: float | None = None
    trade_at: float | None = None
    book_at: float | None = None
    """`time.monotonic()` of the last quote/trade/book update (the staleness watchdog reads them)."""
    bar_at: dict[str, float] = field(default_factory=dict)
    """Bar spec (`5-SECOND-LAST`) → `time.monotonic()` of its last bar."""


@dataclass(frozen=True)
class Rejection:
    client_order_id: str
    instrument: str
    reason: str
    denied: bool
    """Denied by nautilus' risk engine before reaching IB (else rejected by IB)."""


@dataclass
class Counters:
    per_instrument: dict[str, InstrumentStats] = field(default_factory=dict)
    order_events: dict[str, int] = field(default_factory=dict)
    """Order event class name (`OrderSubmitted`, `OrderFilled`, ...) → how many."""
    rejections: list[Rejection] = field(default_factory=list)
    """Rejected/denied orders not yet taken by the monitoring (it empties the list)."""

    def of(self, instrument_id: object) -> InstrumentStats:
        key = str(instrument_id)
        stats = self.per_instrument.get(key)
        if stats is None:
            stats = self.per_instrument[key] = InstrumentStats()
        return stats
