"""Server→client messages, laid out for the negotiated server version (ibapi/decoder.py)."""

from __future__ import annotations

import struct
import time

from runner.ib.error_codes import ErrorCode
from runner.sim.protocol.messages import ServerMsg as M
from runner.sim.protocol.messages import ServerVersion as V
from runner.sim.protocol.wire import frame
from runner.sim.world.market import Bar, Quote
from runner.sim.world.records import ContractRecord

_LENGTH = struct.Struct(">I")


def error(version: int, req_id: int, code: ErrorCode, text: str) -> bytes:
    fields: list[object] = [M.ERR_MSG]
    if version < V.ERROR_TIME:
        fields.append(2)
    fields += [req_id, int(code), text]
    if version >= V.ADVANCED_ORDER_REJECT:
        fields.append("")
    if version >= V.ERROR_TIME:
        fields.append(int(time.time() * 1000))
    return frame(fields)


def next_valid_id(order_id: int) -> bytes:
    return frame([M.NEXT_VALID_ID, 1, order_id])


def managed_accounts(accounts: tuple[str, ...]) -> bytes:
    return frame([M.MANAGED_ACCTS, 1, ",".join(accounts)])


def current_time(epoch: int) -> bytes:
    return frame([M.CURRENT_TIME, 1, epoch])


def current_time_millis(millis: int) -> bytes:
    return frame([M.CURRENT_TIME_IN_MILLIS, millis])


def market_data_type(req_id: int, data_type: int) -> bytes:
    return frame([M.MARKET_DATA_TYPE, 1, req_id, data_type])


def tick_req_params(req_id: int, min_tick: float, bbo_exchange: str) -> bytes:
    return frame([M.TICK_REQ_PARAMS, req_id, min_tick, bbo_exchange, 3])


def _raw(text: str) -> bytes:
    payload = text.encode()
    return _LENGTH.pack(len(payload)) + payload


# Streaming messages go out per subscription per clock tick: their ids as plain ints (str() of
# an IntEnum member costs about twice that of an int) or as ready-made text.
_TICK_PRICE_HEAD = f"{int(M.TICK_PRICE)}\x006\x00"  # message id, version 6
_TICK_SIZE_HEAD = f"{int(M.TICK_SIZE)}\x006\x00"
_TICK_BY_TICK = int(M.TICK_BY_TICK)
_MARKET_DEPTH = int(M.MARKET_DEPTH)
_MARKET_DEPTH_L2 = int(M.MARKET_DEPTH_L2)
_REAL_TIME_BARS = int(M.REAL_TIME_BARS)
_HISTORICAL_DATA_UPDATE = int(M.HISTORICAL_DATA_UPDATE)


def tick_price(req_id: int, tick_type: int, price: float, size: object, mask: int = 0) -> bytes:
    # hot path: formatted directly (same bytes as frame([...]))
    return _raw(f"{_TICK_PRICE_HEAD}{req_id}\x00{tick_type}\x00{price}\x00{size}\x00{mask}\x00")


def tick_size(req_id: int, tick_type: int, size: object) -> bytes:
    return _raw(f"{_TICK_SIZE_HEAD}{req_id}\x00{tick_type}\x00{size}\x00")


def tick_snapshot_end(req_id: int) -> bytes:
    return frame([M.TICK_SNAPSHOT_END, 1, req_id])


def tick_by_tick_bid_ask(req_id: int, epoch: int, bid: float, ask: float, bid_size: object, ask_size: object) -> bytes:
    return frame([_TICK_BY_TICK, req_id, 3, epoch, bid, ask, bid_size, ask_size, 0])


def tick_by_tick_last(req_id: int, tick_type: int, epoch: int, price: float, size: object, exchange: str) -> bytes:
    return frame([_TICK_BY_TICK, req_id, tick_type, epoch, price, size, 0, exchange, ""])


def tick_by_tick_midpoint(req_id: int, epoch: int, mid: float) -> bytes:
    return frame([_TICK_BY_TICK, req_id, 4, epoch, mid])


def contract_data(version: int, req_id: int, r: ContractRecord, hours: tuple[str, str]) -> bytes:
    """`hours`: (tradingHours, liquidHours) in IB's "YYYYMMDD:HHMM-YYYYMMDD:HHMM;..." layout."""
    f: list[object] = [M.CONTRACT_DATA]
    if version < V.SIZE_RULES:
        f.append(8)
    f += [req_id, r.symbol, r.secType, r.lastTradeDateOrContractMonth]
    if version >= V.LAST_TRADE_DATE:
        f.append(r.lastTradeDateOrContractMonth if r.secType in ("FUT", "OPT", "FOP") else "")
    f += [
        r.strike if r.strike else 0,
        r.right,
        r.exchange,
        r.currency,
        r.localSymbol,
        r.marketName or r.tradingClass,
        r.tradingClass,
        r.conId,
        r.minTick,
    ]
    if version < V.SIZE_RULES:
        f.append(1)  # mdSizeMultiplier
    f += [
        r.multiplier,
        r.orderTypes,
        r.validExchanges,
        r.priceMagnifier,
        r.underConId,
        r.longName,
        r.primaryExchange,
        r.contractMonth,
        r.industry,
        r.category,
        r.subcategory,
        r.timeZoneId,
        hours[0],
        hours[1],
        r.evRule,
        r.evMultiplier or "",
        len(r.secIdList),
    ]
    for tag, value in r.secIdList:
        f += [tag, value]
    f += [r.aggGroup, r.underSymbol, r.underSecType, r.marketRuleIds, r.realExpirationDate, r.stockType]
    if version == V.FRACTIONAL_SIZE_SUPPORT:
        f.append(r.sizeIncrement)  # sizeMinTick
    if version >= V.SIZE_RULES:
        f += [r.minSize, r.sizeIncrement, r.suggestedSizeIncrement]
    if version >= V.INELIGIBILITY_REASONS:
        f.append(0)
    return frame(f)


def bond_contract_data(version: int, req_id: int, r: ContractRecord, hours: tuple[str, str]) -> bytes:
    f: list[object] = [M.BOND_CONTRACT_DATA]
    if version < V.SIZE_RULES:
        f.append(6)
    f += [
        req_id,
        r.symbol,
        r.secType,
        r.cusip,
        r.coupon,
        r.lastTradeDateOrContractMonth,
        r.issueDate,
        r.ratings,
        r.bondType,
        r.couponType,
        0,
        0,
        0,
        r.descAppend,
        r.exchange,
        r.currency,
        r.marketName or r.symbol,
        r.tradingClass,
        r.conId,
        r.minTick,
    ]
    if version < V.SIZE_RULES:
        f.append(1)
    f += [r.orderTypes, r.validExchanges, "", "", 0, "", r.longName]
    if version >= V.BOND_TRADING_HOURS:
        f += [r.timeZoneId, hours[0], hours[1]]
    f += [r.evRule, r.evMultiplier or "", len(r.secIdList)]
    for tag, value in r.secIdList:
        f += [tag, value]
    f += [r.aggGroup, r.marketRuleIds]
    if version >= V.SIZE_RULES:
        f += [r.minSize, r.sizeIncrement, r.suggestedSizeIncrement]
    return frame(f)


def contract_data_end(req_id: int) -> bytes:
    return frame([M.CONTRACT_DATA_END, 1, req_id])


def sec_def_opt_params(
    req_id: int,
    exchange: str,
    under_con_id: int,
    trading_class: str,
    multiplier: str,
    expirations: list[str],
    strikes: list[float],
) -> bytes:
    return frame(
        [
            M.SECURITY_DEFINITION_OPTION_PARAMETER,
            req_id,
            exchange,
            under_con_id,
            trading_class,
            multiplier,
            len(expirations),
            *expirations,
            len(strikes),
            *strikes,
        ]
    )


def sec_def_opt_params_end(req_id: int) -> bytes:
    return frame([M.SECURITY_DEFINITION_OPTION_PARAMETER_END, req_id])


def historical_data(version: int, req_id: int, start: str, end: str, bars: list[tuple[str, Bar]]) -> bytes:
    """Bars as (date text, bar); before v196 the message carries the window itself."""
    f: list[object] = [M.HISTORICAL_DATA, req_id]
    if version < V.HISTORICAL_DATA_END:
        f += [start, end]
    f.append(len(bars))
    for date, bar in bars:
        f += [date, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count]
    return frame(f)


def historical_data_end(req_id: int, start: str, end: str) -> bytes:
    return frame([M.HISTORICAL_DATA_END, req_id, start, end])


def historical_data_update(req_id: int, date: str, bar: Bar) -> bytes:
    return frame(
        [_HISTORICAL_DATA_UPDATE, req_id, bar.count, date, bar.open, bar.close, bar.high, bar.low, bar.wap, bar.volume]
    )


def real_time_bar(req_id: int, bar: Bar) -> bytes:
    return frame(
        [_REAL_TIME_BARS, 3, req_id, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count]
    )


def historical_ticks_midpoint(req_id: int, ticks: list[tuple[int, float]], done: bool) -> bytes:
    f: list[object] = [M.HISTORICAL_TICKS, req_id, len(ticks)]
    for epoch, price in ticks:
        f += [epoch, "", price, 0]
    f.append(done)
    return frame(f)


def historical_ticks_bid_ask(req_id: int, ticks: list[tuple[int, Quote]], done: bool) -> bytes:
    f: list[object] = [M.HISTORICAL_TICKS_BID_ASK, req_id, len(ticks)]
    for epoch, q in ticks:
        f += [epoch, 0, q.bid, q.ask, q.bid_size, q.ask_size]
    f.append(done)
    return frame(f)


def historical_ticks_last(req_id: int, ticks: list[tuple[int, Quote]], done: bool, exchange: str) -> bytes:
    f: list[object] = [M.HISTORICAL_TICKS_LAST, req_id, len(ticks)]
    for epoch, q in ticks:
        f += [epoch, 0, q.last, q.last_size, exchange, ""]
    f.append(done)
    return frame(f)


def head_timestamp(req_id: int, text: str) -> bytes:
    return frame([M.HEAD_TIMESTAMP, req_id, text])


def market_depth_l2(
    req_id: int, position: int, maker: str, operation: int, side: int, price: float, size: object, smart: bool
) -> bytes:
    return frame([_MARKET_DEPTH_L2, 1, req_id, position, maker, operation, side, price, size, smart])


def market_depth(req_id: int, position: int, operation: int, side: int, price: float, size: object) -> bytes:
    return frame([_MARKET_DEPTH, 1, req_id, position, operation, side, price, size])


def mkt_depth_exchanges(rows: list[tuple[str, str, str, str, int]]) -> bytes:
    """(exchange, secType, listingExchange, serviceDataType, aggGroup) rows."""
    fields: list[object] = [M.MKT_DEPTH_EXCHANGES, len(rows)]
    for row in rows:
        fields += list(row)
    return frame(fields)


def user_info(req_id: int, white_branding_id: str) -> bytes:
    return frame([M.USER_INFO, req_id, white_branding_id])


def family_codes(codes: list[tuple[str, str]]) -> bytes:
    """(accountId, familyCode) rows."""
    return frame([M.FAMILY_CODES, len(codes), *[value for code in codes for value in code]])


def bar_time(epoch: int, bar_seconds: int, format_date: int) -> str:
    """A bar's date as reqHistoricalData's formatDate asks: daily+ bars as YYYYMMDD; else 2 →
    epoch seconds, 1 → "YYYYMMDD HH:MM:SS UTC"."""
    if bar_seconds >= 86_400:
        return time.strftime("%Y%m%d", time.gmtime(epoch))
    if format_date == 2:
        return str(epoch)
    return time.strftime("%Y%m%d %H:%M:%S", time.gmtime(epoch)) + " UTC"
