"""Futures and option chains generated relative to today, so expiry windows always match."""

from __future__ import annotations

import datetime as dt
import math
import zlib
from typing import Any

from runner.sim.world.records import SEC_TYPE_DEFAULTS, ContractRecord
from runner.sim.world.sessions import is_trading_day

MONTH_CODES = "FGHJKMNQUVXZ"


def generated_con_id(key: str) -> int:
    # Stable across runs and machines (not Python's salted hash); away from explicit ids.
    return 600_000_000 + zlib.crc32(key.encode()) % 400_000_000


def third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (4 - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 14)


def previous_business_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def future_expiry(rule: str, year: int, month: int) -> dt.date:
    if rule == "energy":
        # Crude-style: trading ends a few business days before the 25th of the prior month.
        prior = dt.date(year, month, 1) - dt.timedelta(days=1)
        day = dt.date(prior.year, prior.month, 25)
        for _ in range(4):
            day = previous_business_day(day)
        return day
    return third_friday(year, month)


def future_months(spec: dict[str, Any], today: dt.date) -> list[tuple[int, int, dt.date]]:
    cycle = [MONTH_CODES.index(c) + 1 for c in spec.get("months", "HMUZ")]
    rule = spec.get("rule", "third_friday")
    found: list[tuple[int, int, dt.date]] = []
    year, month = today.year, today.month
    while len(found) < int(spec.get("count", 4)):
        if month in cycle:
            expiry = future_expiry(rule, year, month)
            if expiry >= today:
                found.append((year, month, expiry))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return found


def build_futures(spec: dict[str, Any], today: dt.date, underlying: ContractRecord | None) -> list[ContractRecord]:
    symbol = spec["symbol"]
    base = float(spec.get("price", underlying.price if underlying else 100.0))
    records = []
    for index, (year, month, expiry) in enumerate(future_months(spec, today)):
        local = f"{symbol}{MONTH_CODES[month - 1]}{year % 10}"
        records.append(future_record(spec, local, year, month, expiry, base * (1 + 0.004 * (index + 1)), underlying))
    return records


def future_record(
    spec: dict[str, Any],
    local: str,
    year: int,
    month: int,
    expiry: dt.date,
    price: float,
    underlying: ContractRecord | None,
) -> ContractRecord:
    values = dict(SEC_TYPE_DEFAULTS["FUT"])
    for key in (
        "minTick",
        "multiplier",
        "timeZoneId",
        "session",
        "liquidSession",
        "calendar",
        "longName",
        "currency",
        "underSecType",
        "volatility",
        "marketName",
        "industry",
        "category",
    ):
        if key in spec:
            values[key] = spec[key]
    exchange = spec.get("exchange", "CME")
    values.update(
        conId=int(spec.get("conIds", {}).get(local, 0)) or generated_con_id(local),
        symbol=spec["symbol"],
        secType="FUT",
        exchange=exchange,
        validExchanges=exchange,
        localSymbol=local,
        tradingClass=spec.get("tradingClass", spec["symbol"]),
        lastTradeDateOrContractMonth=expiry.strftime("%Y%m%d"),
        realExpirationDate=expiry.strftime("%Y%m%d"),
        contractMonth=f"{year}{month:02d}",
        underConId=underlying.conId if underlying else 0,
        underSymbol=spec["symbol"],
        multiplier=str(spec.get("multiplier", "1")),
        price=round_to_tick(price, spec),
    )
    return ContractRecord(**values)


def round_to_tick(price: float, spec: dict[str, Any]) -> float:
    tick = float(spec.get("minTick", 0.01))
    return round(round(price / tick) * tick, 10)


def is_exchange_holiday(day: dt.date) -> bool:
    """A weekday the US exchanges are closed (no option expires then)."""
    return day.weekday() < 5 and not is_trading_day("NYSE", day)


def option_expiries(spec: dict[str, Any], today: dt.date) -> list[dt.date]:
    """Daily expiries for the next N weekdays, Fridays for W weeks, 3rd Fridays for M months."""
    plan = spec.get("expiries", {})
    dates: set[dt.date] = set()
    day = today
    for _ in range(int(plan.get("daily", 0))):
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        dates.add(day)
        day += dt.timedelta(days=1)
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)
    for week in range(int(plan.get("weekly", 0))):
        dates.add(friday + dt.timedelta(weeks=week))
    year, month = today.year, today.month
    for _ in range(int(plan.get("monthly", 0))):
        expiry = third_friday(year, month)
        if expiry >= today:
            dates.add(expiry)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return sorted(d for d in dates if not is_exchange_holiday(d))


def strike_ladder(center: float, step: float, each_side: int) -> list[float]:
    atm = round(center / step) * step
    return [round(atm + step * i, 6) for i in range(-each_side, each_side + 1) if atm + step * i > 0]


def occ_symbol(root: str, expiry: dt.date, right: str, strike: float) -> str:
    return f"{root:<6}{expiry:%y%m%d}{right}{round(strike * 1000):08d}"


def build_options(spec: dict[str, Any], underlying: ContractRecord, today: dt.date) -> list[ContractRecord]:
    trading_class = spec.get("tradingClass", underlying.symbol)
    strikes = strike_ladder(underlying.price, float(spec.get("strikeStep", 1)), int(spec.get("strikes", 20)))
    records = []
    for expiry in option_expiries(spec, today):
        for strike in strikes:
            for right in ("C", "P"):
                records.append(option_record(spec, underlying, trading_class, expiry, strike, right))
    return records


def option_record(
    spec: dict[str, Any], underlying: ContractRecord, trading_class: str, expiry: dt.date, strike: float, right: str
) -> ContractRecord:
    values = dict(SEC_TYPE_DEFAULTS["OPT"])
    for key in ("minTick", "multiplier", "validExchanges", "timeZoneId", "session", "calendar"):
        if key in spec:
            values[key] = spec[key]
    values["multiplier"] = str(values["multiplier"])
    local = occ_symbol(trading_class, expiry, right, strike)
    years = max((expiry - dt.date.today()).days, 0.5) / 365.0
    values.update(
        conId=generated_con_id(local),
        symbol=underlying.symbol,
        secType="OPT",
        exchange="SMART",
        localSymbol=local,
        tradingClass=trading_class,
        lastTradeDateOrContractMonth=expiry.strftime("%Y%m%d"),
        realExpirationDate=expiry.strftime("%Y%m%d"),
        strike=strike,
        right=right,
        underConId=underlying.conId,
        underSymbol=underlying.symbol,
        underSecType=underlying.secType,
        currency=underlying.currency,
        longName=underlying.longName,
        volatility=underlying.volatility,
        price=max(
            black_scholes(underlying.price, strike, years, underlying.volatility, right), float(values["minTick"])
        ),
    )
    return ContractRecord(**values)


def build_future_options(spec: dict[str, Any], futures: list[ContractRecord]) -> list[ContractRecord]:
    records = []
    step = float(spec.get("strikeStep", 25))
    for future in futures[: int(spec.get("futures", 2))]:
        expiry = dt.datetime.strptime(future.lastTradeDateOrContractMonth, "%Y%m%d").date()
        for strike in strike_ladder(future.price, step, int(spec.get("strikes", 20))):
            for right in ("C", "P"):
                records.append(future_option_record(spec, future, expiry, strike, right))
    return records


def future_option_record(
    spec: dict[str, Any], future: ContractRecord, expiry: dt.date, strike: float, right: str
) -> ContractRecord:
    values = dict(SEC_TYPE_DEFAULTS["FOP"])
    values["minTick"] = float(spec.get("minTick", values["minTick"]) or 0.0)
    local = f"{future.localSymbol} {right}{strike:g}"
    years = max((expiry - dt.date.today()).days, 0.5) / 365.0
    values.update(
        conId=generated_con_id(local),
        symbol=future.symbol,
        secType="FOP",
        exchange=future.exchange,
        validExchanges=future.exchange,
        localSymbol=local,
        tradingClass=spec.get("tradingClass", future.tradingClass),
        lastTradeDateOrContractMonth=expiry.strftime("%Y%m%d"),
        realExpirationDate=expiry.strftime("%Y%m%d"),
        strike=strike,
        right=right,
        multiplier=future.multiplier,
        underConId=future.conId,
        underSymbol=future.symbol,
        underSecType="FUT",
        currency=future.currency,
        longName=future.longName,
        contractMonth=future.contractMonth,
        volatility=future.volatility,
        price=max(black_scholes(future.price, strike, years, future.volatility, right), values["minTick"]),
    )
    return ContractRecord(**values)


def black_scholes(spot: float, strike: float, years: float, vol: float, right: str) -> float:
    """Undiscounted Black-Scholes price; good enough for plausible option quotes."""
    if spot <= 0 or strike <= 0:
        return 0.0
    sigma_t = max(vol, 0.01) * math.sqrt(max(years, 1e-4))
    d1 = (math.log(spot / strike) + 0.5 * sigma_t * sigma_t) / sigma_t
    d2 = d1 - sigma_t
    cdf = _normal_cdf
    call = spot * cdf(d1) - strike * cdf(d2)
    return call if right == "C" else call - spot + strike


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
