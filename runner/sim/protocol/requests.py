"""Client→server request parsing (layouts from ibapi/client.py), tolerant of missing fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.sim.protocol.wire import Fields
from runner.sim.world.universe import ContractQuery

V_TRADING_CLASS = 68
V_PRIMARYEXCH = 75
V_LINKING = 70
V_SEC_ID_TYPE = 45
V_BOND_ISSUERID = 176
V_FA_PROFILE_DESUPPORT = 177
V_MODELS_SUPPORT = 103


def unset_to_none(value: float) -> float | None:
    return None if value >= 1e300 or value != value else value


def contract_common(f: Fields, with_con_id: bool = True) -> ContractQuery:
    """conId, symbol, secType, expiry, strike, right, multiplier, exchange, primaryExchange,
    currency, localSymbol, tradingClass — the layout most data requests share."""
    q = ContractQuery()
    if with_con_id:
        q.conId = f.int()
    q.symbol, q.secType, q.lastTradeDateOrContractMonth = f.str(), f.str(), f.str()
    q.strike = f.float()
    q.right, q.multiplier, q.exchange = f.str(), f.str(), f.str()
    q.primaryExchange, q.currency, q.localSymbol = f.str(), f.str(), f.str()
    q.tradingClass = f.str()
    return q


def contract_details_request(f: Fields, version: int) -> tuple[int, ContractQuery]:
    f.skip()  # VERSION
    req_id = f.int()
    q = ContractQuery(conId=f.int())
    q.symbol, q.secType, q.lastTradeDateOrContractMonth = f.str(), f.str(), f.str()
    q.strike = f.float()
    q.right, q.multiplier = f.str(), f.str()
    q.exchange, q.primaryExchange = f.str(), f.str()
    q.currency, q.localSymbol, q.tradingClass = f.str(), f.str(), f.str()
    q.includeExpired = f.bool()
    q.secIdType, q.secId = f.str(), f.str()
    if q.strike >= 1e300:
        q.strike = 0.0
    return req_id, q


@dataclass
class OrderRequest:
    order_id: int
    contract: ContractQuery
    action: str = ""
    total_qty: float = 0.0
    order_type: str = ""
    lmt_price: float | None = None
    aux_price: float | None = None
    tif: str = "DAY"
    oca_group: str = ""
    account: str = ""
    open_close: str = ""
    order_ref: str = ""
    transmit: bool = True
    parent_id: int = 0
    outside_rth: bool = False
    good_after_time: str = ""
    good_till_date: str = ""
    oca_type: int = 0
    trail_stop_price: float | None = None
    trailing_percent: float | None = None
    lmt_price_offset: float | None = None
    cash_qty: float | None = None
    what_if: bool = False
    extra: dict = field(default_factory=dict)


def place_order_request(f: Fields, version: int) -> OrderRequest:
    order_id = f.int()
    q = contract_common(f)
    q.secIdType, q.secId = f.str(), f.str()
    o = OrderRequest(order_id, q, action=f.str().upper(), total_qty=f.float())
    o.order_type = f.str().upper()
    o.lmt_price, o.aux_price = _price(f), _price(f)
    o.tif, o.oca_group, o.account = f.str().upper() or "DAY", f.str(), f.str()
    o.open_close = f.str()
    f.skip()  # origin
    o.order_ref, o.transmit, o.parent_id = f.str(), f.bool(), f.int()
    f.skip(4)  # blockOrder, sweepToFill, displaySize, triggerMethod
    o.outside_rth = f.bool()
    f.skip()  # hidden
    if q.secType.upper() == "BAG":
        return o  # combo legs are not simulated; the order is rejected later
    f.skip(2)  # sharesAllocation, discretionaryAmt
    o.good_after_time, o.good_till_date = f.str(), f.str()
    f.skip(3 + (1 if version < V_FA_PROFILE_DESUPPORT else 0) + 1)  # FA fields, modelCode
    f.skip(3)  # shortSaleSlot, designatedLocation, exemptCode
    o.oca_type = f.int()
    f.skip(17)  # rule80A .. volatilityType
    delta_neutral_type = f.str()
    f.skip()
    if delta_neutral_type:
        f.skip(8)
    f.skip(2)  # continuousUpdate, referencePriceType
    o.trail_stop_price, o.trailing_percent = _price(f), _price(f)
    _parse_order_tail(f, o)
    return o


def _price(f: Fields) -> float | None:
    text = f.str()
    if not text:
        return None
    try:
        return unset_to_none(float(text))
    except ValueError:
        return None


def _parse_order_tail(f: Fields, o: OrderRequest) -> None:
    """Walk the variable part after trailingPercent to reach lmtPriceOffset and cashQty."""
    f.skip(2)  # scaleInitLevelSize, scaleSubsLevelSize
    increment = _price(f)
    if increment and increment > 0:
        f.skip(7)
    f.skip(3)  # scaleTable, activeStartTime, activeStopTime
    if f.str():  # hedgeType
        f.skip()
    f.skip(4)  # optOutSmartRouting, clearingAccount, clearingIntent, notHeld
    if f.bool():  # delta-neutral contract
        f.skip(3)
    if f.str():  # algoStrategy
        f.skip(2 * f.int())
    f.skip(1)  # algoId
    o.what_if = f.bool()
    f.skip(4)  # orderMiscOptions, solicited, randomizeSize, randomizePrice
    if o.order_type == "PEG BENCH":
        f.skip(5)
    if f.int() > 0:
        return  # order conditions are not simulated; their layout varies per type
    f.skip(2)  # adjustedOrderType, triggerPrice
    o.lmt_price_offset = _price(f)
    f.skip(4)  # adjusted stop/stop-limit/trailing amount/unit
    f.skip(3)  # extOperator, softDollarTier name/value
    o.cash_qty = _price(f)


def market_data_request(f: Fields) -> dict:
    f.skip()
    req_id = f.int()
    q = contract_common(f)
    if q.secType.upper() == "BAG":
        f.skip(4 * f.int())
    if f.bool():
        f.skip(3)
    return {"req_id": req_id, "contract": q, "generic": f.str(), "snapshot": f.bool(), "regulatory": f.bool()}


def historical_data_request(f: Fields) -> dict:
    req_id = f.int()
    q = contract_common(f)
    q.includeExpired = f.bool()
    r = {
        "req_id": req_id,
        "contract": q,
        "end": f.str(),
        "bar_size": f.str(),
        "duration": f.str(),
        "use_rth": f.bool(),
        "what": f.str().upper(),
        "format_date": f.int(1),
    }
    if q.secType.upper() == "BAG":
        f.skip(4 * f.int())
    r["keep_up_to_date"] = f.bool()
    return r


def historical_ticks_request(f: Fields) -> dict:
    req_id = f.int()
    q = contract_common(f)
    q.includeExpired = f.bool()
    return {
        "req_id": req_id,
        "contract": q,
        "start": f.str(),
        "end": f.str(),
        "count": f.int(),
        "what": f.str().upper(),
        "use_rth": f.bool(),
        "ignore_size": f.bool(),
    }


def tick_by_tick_request(f: Fields) -> dict:
    req_id = f.int()
    q = contract_common(f)
    return {"req_id": req_id, "contract": q, "type": f.str(), "count": f.int(), "ignore_size": f.bool()}


def real_time_bars_request(f: Fields) -> dict:
    f.skip()
    req_id = f.int()
    q = contract_common(f)
    return {"req_id": req_id, "contract": q, "bar_size": f.int(5), "what": f.str().upper(), "use_rth": f.bool()}


def market_depth_request(f: Fields, version: int) -> dict:
    f.skip()
    req_id = f.int()
    q = ContractQuery(conId=f.int())
    q.symbol, q.secType, q.lastTradeDateOrContractMonth = f.str(), f.str(), f.str()
    q.strike = f.float()
    q.right, q.multiplier, q.exchange = f.str(), f.str(), f.str()
    q.primaryExchange = f.str() if version >= 149 else ""
    q.currency, q.localSymbol, q.tradingClass = f.str(), f.str(), f.str()
    return {"req_id": req_id, "contract": q, "rows": f.int(5), "smart": f.bool()}


def executions_request(f: Fields, version: int) -> dict:
    f.skip()  # VERSION (always sent)
    return {
        "req_id": f.int(),
        "client_id": f.int(),
        "account": f.str(),
        "time": f.str(),
        "symbol": f.str(),
        "sec_type": f.str(),
        "exchange": f.str(),
        "side": f.str(),
    }
