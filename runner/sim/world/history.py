"""Historical bars and ticks: deterministic series from the market model, inside the instrument's
sessions (trading hours, or regular hours with useRTH), and IB's refusals.

Intraday bars are aligned to the clock and cut at session edges, as IB's: with useRTH a stock's
1-hour bars start 09:30 (a half bar), 10:00, ... 15:00. Daily bars are one per trading day
(dated by it), weekly and monthly bars group trading days. Closed days, weekends, holidays and
the days after a derivative's last trade date have no bars."""

from __future__ import annotations

import calendar
import time

from runner.sim.world.market import Bar, Market, Quote, unit
from runner.sim.world.records import ContractRecord
from runner.sim.world.sessions import MarketHours, Window

MAX_BARS = 100_000
MAX_TICKS = 1000
QUOTE_SERIES = frozenset({"BID", "ASK", "MIDPOINT", "BID_ASK"})
TRADE_SERIES = frozenset({"TRADES", "ADJUSTED_LAST", "AGGTRADES"})
SERIES_NAMES = {"TRADES": "Last", "ADJUSTED_LAST": "Last", "BID": "Bid", "ASK": "Ask", "BID_ASK": "BidAsk"}
HMDS = "Historical Market Data Service error message:"
_DAY = 86_400
_WEEK = 7 * _DAY


def no_data(record: ContractRecord, what: str) -> bool:
    """IB keeps no trades for forex and no quotes for indices."""
    return (what in TRADE_SERIES and record.secType == "CASH") or (what in QUOTE_SERIES and record.secType == "IND")


def no_data_text(record: ContractRecord, what: str, seconds: int) -> str:
    series = SERIES_NAMES.get(what, what.title())
    symbol = record.localSymbol or record.symbol
    return f"{HMDS}No historical market data for {symbol}/{record.secType}@{record.exchange} {series} {seconds}"


def bars_refusal(record: ContractRecord, what: str, bar_seconds: int, duration: int) -> str | None:
    """Why IB's historical data service answers this bar request with error 162, or None."""
    if no_data(record, what):
        return no_data_text(record, what, bar_seconds)
    if duration // bar_seconds > MAX_BARS:
        return f"{HMDS}Requested market data is too large"
    return None


def bars(
    market: Market,
    hours: MarketHours,
    record: ContractRecord,
    span: tuple[int, int],
    bar_seconds: int,
    what: str,
    use_rth: bool,
) -> list[Bar]:
    """Bars starting in [start, end) inside the sessions; the last one grows until now."""
    start, end = span
    now = int(time.time())
    if bar_seconds >= _DAY:
        sessions = hours.windows(record, start, end, use_rth)
        return [adjusted(bar, record, what) for bar in _session_bars(market, record, sessions, bar_seconds, now)]
    series = []
    for opens, closes, _ in hours.windows(record, start, end, use_rth):
        bar_start = opens
        while bar_start < closes:
            bar_end = min((bar_start // bar_seconds + 1) * bar_seconds, closes)
            if start <= bar_start < end and bar_start < now:
                bar = market.bar(record, bar_start, min(bar_end, now) - bar_start)
                series.append(adjusted(bar, record, what))
            bar_start = bar_end
    return series


def _session_bars(
    market: Market, record: ContractRecord, sessions: list[Window], bar_seconds: int, now: int
) -> list[Bar]:
    """Daily bars, or weekly/monthly ones over the trading days they group; dated by the first
    trading day (`Bar.time` is that date's midnight UTC)."""
    groups: dict[tuple[int, int], list[Window]] = {}
    for window in sessions:
        if window[0] >= now:
            continue
        day = window[2]
        if bar_seconds < _WEEK:
            key = (day.toordinal(), 0)
        elif bar_seconds < 4 * _WEEK:
            key = tuple(day.isocalendar())[:2]  # type: ignore[assignment]
        else:
            key = (day.year, day.month)
        groups.setdefault(key, []).append(window)
    series = []
    for group in groups.values():
        opens, closes = group[0][0], min(group[-1][1], now)
        bar = market.bar(record, opens, max(closes - opens, 1))
        bar.time = calendar.timegm(group[0][2].timetuple())
        series.append(bar)
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
    market: Market,
    hours: MarketHours,
    record: ContractRecord,
    span: tuple[int | None, int],
    count: int,
    what: str,
    use_rth: bool,
) -> list[tuple[int, Quote]]:
    """Up to `count` (≤ 1000) ticks inside the sessions: forward from `start`, else backwards from
    `end` (looking back at most a week); oldest first."""
    start, end = span
    count = min(max(count, 1), MAX_TICKS)
    sessions = hours.windows(record, start if start is not None else end - _WEEK, end + 1, use_rth)
    if start is None:
        sessions.reverse()
    key = market.key(record)
    density = 0.2 if what == "TRADES" else 0.6  # share of seconds with a tick: 60 % / 80 %
    found: list[tuple[int, Quote]] = []
    for opens, closes, _ in sessions:
        low, high = max(opens, start if start is not None else opens), min(closes - 1, end)
        seconds = range(low, high + 1) if start is not None else range(high, low - 1, -1)
        for second in seconds:
            if unit(key, second * 3 + 1) > density:
                continue
            found.append((second, market.quote_at(record, second, float(second))))
            if len(found) >= count:
                break
        if len(found) >= count:
            break
    if start is None:
        found.reverse()
    return found
