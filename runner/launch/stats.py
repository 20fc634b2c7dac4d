"""Per-instrument data counters (no nautilus import: the status/summary use them too)."""

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


@dataclass
class Counters:
    per_instrument: dict[str, InstrumentStats] = field(default_factory=dict)

    def of(self, instrument_id: object) -> InstrumentStats:
        key = str(instrument_id)
        stats = self.per_instrument.get(key)
        if stats is None:
            stats = self.per_instrument[key] = InstrumentStats()
        return stats
