"""Historical bars and ticks: deterministic series from the market model, and IB's refusals."""

from __future__ import annotations

import time

from runner.sim.world.market import Bar, Market, Quote, unit
from runner.sim.world.records import ContractRecord

MAX_BARS = 100_000
MAX_TICKS = 1000
WEEKDAYS_ONLY = frozenset({"STK", "OPT", "IND", "FUT", "FOP", "BOND", "CFD"})
QUOTE_SERIES = frozenset({"BID", "ASK", "MIDPOINT", "BID_ASK"})
HMDS = "Historical Market Data Service error message:"


def bars_refusal(record: ContractRecord, what: str, bar_seconds: int, duration: int) -> str | None:
    """Why IB's historical data service answers this bar request with error 162, or None."""
    if what == "TRADES" and record.secType == "CASH":
        return f"{HMDS}No historical market data for {record.localSymbol}/CASH@{record.exchange} Last {bar_seconds}"
    if duration // bar_seconds > MAX_BARS:
        return f"{HMDS}Requested market data is too large"
    return None


def bars(market: Market, record: ContractRecord, start: int, end: int, bar_seconds: int, what: str) -> list[Bar]:
    """Bars starting in [start, end); the last one grows until now. Daily+ bars skip weekends
    for exchange-traded products."""
    first = start - start % bar_seconds
    if first < start and bar_seconds < 86_400:
        first += bar_seconds
    series = []
    now = int(time.time())
    for bar_start in range(first, end, bar_seconds):
        if bar_seconds >= 86_400 and record.secType in WEEKDAYS_ONLY and time.gmtime(bar_start).tm_wday >= 5:
            continue
        length = min(bar_seconds, max(now - bar_start, 1))
        series.append(adjusted(market.bar(record, bar_start, length), record, what))
    return series


def adjusted(bar: Bar, record: ContractRecord, what: str) -> Bar:
    """BID/ASK series sit half a spread away from the midpoint; quotes carry no volume."""
    if what not in QUOTE_SERIES:
        return bar
    shift = record.spread_ticks * record.minTick / 2 * (-1 if what == "BID" else 1 if what == "ASK" else 0)
    bar.open, bar.high = round(bar.open + shift, 10), round(bar.high + shift, 10)
    bar.low, bar.close = round(bar.low + shift, 10), round(bar.close + shift, 10)
    bar.volume, bar.wap, bar.count = -1, -1, -1
    return bar


def ticks(
    market: Market, record: ContractRecord, start: int | None, end: int, count: int, what: str
) -> list[tuple[int, Quote]]:
    """Up to `count` (≤ 1000) ticks: forward from `start`, else backwards from `end`; oldest first."""
    count = min(max(count, 1), MAX_TICKS)
    forward = start is not None
    seconds = range(start, end + 1) if start is not None else range(end, end - 86_400 - 1, -1)
    key = market.key(record)
    density = 0.2 if what == "TRADES" else 0.6  # share of seconds with a tick: 60 % / 80 %
    found = []
    for second in seconds:
        if unit(key, second * 3 + 1) > density:
            continue
        found.append((second, market.quote_at(record, second, float(second))))
        if len(found) >= count:
            break
    if not forward:
        found.reverse()
    return found
