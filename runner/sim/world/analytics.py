"""Figures computed from the simulated market: market rules, option computations (Black-Scholes,
as the rest of the option model), price histograms and a small stock scanner."""

from __future__ import annotations

import calendar
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.sim.world import history
from runner.sim.world.chains import black_scholes
from runner.sim.world.market import Market, round_price
from runner.sim.world.records import ContractRecord
from runner.sim.world.universe import Universe

if TYPE_CHECKING:
    from runner.sim.world.state import World

SCAN_CODES = frozenset({"TOP_PERC_GAIN", "TOP_PERC_LOSE", "MOST_ACTIVE", "HOT_BY_VOLUME"})
SCANNER_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><ScanParameterResponse>'
    "<InstrumentList><Instrument><name>US Stocks</name><type>STK</type></Instrument></InstrumentList>"
    "<LocationTree><Location><displayName>US Stocks</displayName><locationCode>STK.US</locationCode>"
    "<LocationTree><Location><displayName>Listed/NASDAQ</displayName><locationCode>STK.US.MAJOR</locationCode>"
    "</Location></LocationTree></Location></LocationTree><ScanTypeList>"
    + "".join(
        f"<ScanType><scanCode>{code}</scanCode><instruments>STK</instruments></ScanType>" for code in sorted(SCAN_CODES)
    )
    + "</ScanTypeList></ScanParameterResponse>"
)
_DAY = 86_400
_PERIOD_UNITS = {
    "day": _DAY,
    "days": _DAY,
    "week": 7 * _DAY,
    "weeks": 7 * _DAY,
    "month": 30 * _DAY,
    "months": 30 * _DAY,
}
HISTOGRAM_BUCKETS = 40


def market_rule_ticks(universe: Universe, rule_id: int) -> list[float] | None:
    """The price increment of the instruments under a market rule id (the most common one)."""
    ticks: Counter[float] = Counter()
    for records in universe.by_sec_type.values():
        for record in records:
            if str(rule_id) in record.marketRuleIds.split(","):
                ticks[record.minTick] += 1
    return [ticks.most_common(1)[0][0]] if ticks else None


@dataclass(frozen=True, slots=True)
class OptionComputation:
    implied_vol: float
    delta: float
    price: float
    gamma: float
    vega: float
    theta: float
    under_price: float


def option_computation(
    market: Market, record: ContractRecord, value: float, under_price: float, implied: bool
) -> OptionComputation:
    """calculateImpliedVolatility (`value` = option price) or calculateOptionPrice (`value` =
    volatility), with the model's underlying price when the client gives none."""
    now = time.time()
    underlying = market.universe.get(record.underConId)
    spot = under_price if under_price > 0 else (market.level(underlying, now) if underlying else record.price)
    years = max(_years_left(record, now), 1e-4)
    vol = _implied_vol(value, spot, record, years) if implied else value
    price = black_scholes(spot, record.strike, years, vol, record.right)
    bump = spot * 1e-3
    up = black_scholes(spot + bump, record.strike, years, vol, record.right)
    down = black_scholes(spot - bump, record.strike, years, vol, record.right)
    delta = (up - down) / (2 * bump)
    gamma = (up - 2 * price + down) / (bump * bump)
    vega = black_scholes(spot, record.strike, years, vol + 0.01, record.right) - price
    theta = black_scholes(spot, record.strike, max(years - 1 / 365, 1e-4), vol, record.right) - price
    return OptionComputation(vol, delta, price, gamma, vega, theta, spot)


def _years_left(record: ContractRecord, now: float) -> float:
    expiry = record.lastTradeDateOrContractMonth
    if len(expiry) < 8:
        return 30 / 365
    close = calendar.timegm((int(expiry[:4]), int(expiry[4:6]), int(expiry[6:8]), 21, 0, 0))
    return (close - now) / (365 * _DAY)


def _implied_vol(price: float, spot: float, record: ContractRecord, years: float) -> float:
    """Bisection on Black-Scholes (monotone in volatility)."""
    low, high = 0.001, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        if black_scholes(spot, record.strike, years, middle, record.right) < price:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def histogram(world: World, record: ContractRecord, period: str, use_rth: bool, now: float) -> list[tuple[float, int]]:
    """(price, volume) of the period's one-minute bars, bucketed."""
    parts = period.split()
    unit_name = parts[1].lower().removesuffix("s") if len(parts) == 2 else ""
    if len(parts) != 2 or not parts[0].isdigit() or unit_name not in _PERIOD_UNITS:
        raise ValueError(f"invalid histogram period {period!r}")
    seconds = int(parts[0]) * _PERIOD_UNITS[unit_name]
    end = int(now)
    bars = history.bars(world.market, world.hours, record, (end - seconds, end), 60, "TRADES", use_rth)
    if not bars:
        return []
    low, high = min(b.low for b in bars), max(b.high for b in bars)
    step = max(round_price((high - low) / HISTOGRAM_BUCKETS, record.minTick, math.ceil), record.minTick)
    volume: Counter[float] = Counter()
    for bar in bars:
        volume[round_price(low + (bar.close - low) // step * step, record.minTick)] += max(bar.volume, 0)
    return sorted(volume.items())


def scan(
    market: Market, scan_code: str, instrument: str, above: float | None, below: float | None, now: float
) -> list[ContractRecord]:
    """US stocks ranked by the day's change (gainers/losers) or by volume (most active)."""
    if instrument and instrument.upper() not in ("STK", "STOCK.NA", "STOCK.EU"):
        return []
    rows = []
    for record in market.universe.by_sec_type.get("STK", ()):
        price = market.level(record, now)
        if (above is not None and price <= above) or (below is not None and price >= below):
            continue
        change = price / market.level(record, now - _DAY) - 1
        activity = market.quote(record, now).volume * price
        rows.append((change, activity, record))
    if scan_code == "TOP_PERC_GAIN":
        rows.sort(key=lambda row: -row[0])
    elif scan_code == "TOP_PERC_LOSE":
        rows.sort(key=lambda row: row[0])
    else:
        rows.sort(key=lambda row: -row[1])
    return [record for _, _, record in rows]
