"""Client→server requests as frozen values, parsed from their fields (layouts from ibapi/client.py,
after the message id), tolerant of missing trailing fields. Every parser is `(fields, version)`."""

from __future__ import annotations

from dataclasses import dataclass

from runner.sim.protocol.messages import ServerVersion
from runner.sim.protocol.wire import Fields
from runner.sim.world.universe import ContractQuery

UNSET_DOUBLE_FLOOR = 1e300
"""IB writes an unset double as its max value (1.797…e308)."""


def unset_to_none(value: float) -> float | None:
    return None if value >= UNSET_DOUBLE_FLOOR or value != value else value


def optional_price(f: Fields) -> float | None:
    text = f.str()
    if not text:
        return None
    try:
        return unset_to_none(float(text))
    except ValueError:
        return None


def contract(
    f: Fields, *, primary_exchange: bool = True, include_expired: bool = False, sec_id: bool = False
) -> ContractQuery:
    """conId, symbol, secType, expiry, strike, right, multiplier, exchange, primaryExchange,
    currency, localSymbol, tradingClass — the layout most requests share — and, where the request
    carries them next, includeExpired and secIdType/secId. An unset strike reads as 0 (any)."""
    con_id, symbol, sec_type, expiry = f.int(), f.str(), f.str(), f.str()
    strike = f.float()
    right, multiplier, exchange = f.str(), f.str(), f.str()
    primary = f.str() if primary_exchange else ""
    currency, local_symbol, trading_class = f.str(), f.str(), f.str()
    expired = f.bool() if include_expired else False
    sec_id_type, sec_id_value = (f.str(), f.str()) if sec_id else ("", "")
    return ContractQuery(
        conId=con_id,
        symbol=symbol,
        secType=sec_type,
        lastTradeDateOrContractMonth=expiry,
        strike=0.0 if strike >= UNSET_DOUBLE_FLOOR else strike,
        right=right,
        multiplier=multiplier,
        exchange=exchange,
        primaryExchange=primary,
        currency=currency,
        localSymbol=local_symbol,
        tradingClass=trading_class,
        includeExpired=expired,
        secIdType=sec_id_type,
        secId=sec_id_value,
    )


def skip_combo_legs(f: Fields, query: ContractQuery) -> None:
    if query.secType.upper() == "BAG":
        f.skip(4 * f.int())


@dataclass(frozen=True, slots=True)
class StartApi:
    client_id: int


def start_api(f: Fields, version: int) -> StartApi:
    f.skip()  # VERSION
    return StartApi(f.int())


def nothing(f: Fields, version: int) -> None:
    """Requests whose fields the simulator does not need."""


@dataclass(frozen=True, slots=True)
class ReqId:
    """A request that names only its request id (cancels, user info)."""

    req_id: int


def req_id(f: Fields, version: int) -> ReqId:
    return ReqId(f.int())


def versioned_req_id(f: Fields, version: int) -> ReqId:
    f.skip()  # VERSION
    return ReqId(f.int())


@dataclass(frozen=True, slots=True)
class ContractDetailsRequest:
    req_id: int
    contract: ContractQuery


def contract_details(f: Fields, version: int) -> ContractDetailsRequest:
    f.skip()  # VERSION
    req = f.int()
    return ContractDetailsRequest(req, contract(f, include_expired=True, sec_id=True))


@dataclass(frozen=True, slots=True)
class SecDefOptParamsRequest:
    req_id: int
    symbol: str
    fut_fop_exchange: str
    under_con_id: int


def sec_def_opt_params(f: Fields, version: int) -> SecDefOptParamsRequest:
    req, symbol, fut_fop_exchange = f.int(), f.str(), f.str()
    f.skip()  # underlying secType
    return SecDefOptParamsRequest(req, symbol, fut_fop_exchange, f.int())


@dataclass(frozen=True, slots=True)
class MarketDataRequest:
    req_id: int
    contract: ContractQuery
    generic_ticks: str
    snapshot: bool
    regulatory_snapshot: bool


def market_data(f: Fields, version: int) -> MarketDataRequest:
    f.skip()  # VERSION
    req = f.int()
    query = contract(f)
    skip_combo_legs(f, query)
    if f.bool():  # delta-neutral contract
        f.skip(3)
    return MarketDataRequest(req, query, f.str(), f.bool(), f.bool())


@dataclass(frozen=True, slots=True)
class MarketDataTypeRequest:
    data_type: int


def market_data_type(f: Fields, version: int) -> MarketDataTypeRequest:
    f.skip()  # VERSION
    return MarketDataTypeRequest(f.int(1))


@dataclass(frozen=True, slots=True)
class TickByTickRequest:
    req_id: int
    contract: ContractQuery
    tick_type: str
    """BidAsk, Last, AllLast or MidPoint."""
    count: int
    ignore_size: bool


def tick_by_tick(f: Fields, version: int) -> TickByTickRequest:
    req = f.int()
    return TickByTickRequest(req, contract(f), f.str(), f.int(), f.bool())


@dataclass(frozen=True, slots=True)
class RealTimeBarsRequest:
    req_id: int
    contract: ContractQuery
    bar_size: int
    what: str
    use_rth: bool


def real_time_bars(f: Fields, version: int) -> RealTimeBarsRequest:
    f.skip()  # VERSION
    req = f.int()
    return RealTimeBarsRequest(req, contract(f), f.int(5), f.str().upper(), f.bool())


@dataclass(frozen=True, slots=True)
class MarketDepthRequest:
    req_id: int
    contract: ContractQuery
    rows: int
    smart: bool


def market_depth(f: Fields, version: int) -> MarketDepthRequest:
    f.skip()  # VERSION
    req = f.int()
    query = contract(f, primary_exchange=version >= ServerVersion.MKT_DEPTH_PRIM_EXCHANGE)
    return MarketDepthRequest(req, query, f.int(5), f.bool())


@dataclass(frozen=True, slots=True)
class HistoricalDataRequest:
    req_id: int
    contract: ContractQuery
    end: str
    bar_size: str
    duration: str
    use_rth: bool
    what: str
    format_date: int
    """1: "YYYYMMDD HH:MM:SS TZ", 2: epoch seconds (daily+ bars are YYYYMMDD either way)."""
    keep_up_to_date: bool


def historical_data(f: Fields, version: int) -> HistoricalDataRequest:
    req = f.int()
    query = contract(f, include_expired=True)
    end, bar_size, duration, use_rth, what, format_date = f.str(), f.str(), f.str(), f.bool(), f.str(), f.int(1)
    skip_combo_legs(f, query)
    return HistoricalDataRequest(req, query, end, bar_size, duration, use_rth, what.upper(), format_date, f.bool())


@dataclass(frozen=True, slots=True)
class HistoricalTicksRequest:
    req_id: int
    contract: ContractQuery
    start: str
    end: str
    count: int
    what: str
    use_rth: bool
    ignore_size: bool


def historical_ticks(f: Fields, version: int) -> HistoricalTicksRequest:
    req = f.int()
    query = contract(f, include_expired=True)
    start, end, count, what = f.str(), f.str(), f.int(), f.str().upper()
    return HistoricalTicksRequest(req, query, start, end, count, what, f.bool(), f.bool())


@dataclass(frozen=True, slots=True)
class HeadTimestampRequest:
    req_id: int
    contract: ContractQuery


def head_timestamp(f: Fields, version: int) -> HeadTimestampRequest:
    req = f.int()
    return HeadTimestampRequest(req, contract(f))
