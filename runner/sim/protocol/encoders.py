"""Server→client messages, laid out for the negotiated server version (ibapi/decoder.py)."""

from __future__ import annotations

import struct
import time

from runner.sim.protocol.wire import frame
from runner.sim.world.records import ContractRecord

_LENGTH = struct.Struct(">I")

# server versions at which layouts change (ibapi/server_versions.py)
V_MARKET_CAP_PRICE = 131
V_SIZE_RULES = 164
V_ADVANCED_ORDER_REJECT = 166
V_LAST_TRADE_DATE = 182
V_INELIGIBILITY_REASONS = 186
V_BOND_TRADING_HOURS = 188
V_ERROR_TIME = 194
V_HISTORICAL_DATA_END = 196
V_FUND_DATA_FIELDS = 179
V_PENDING_PRICE_REVISION = 178
V_SUBMITTER = 198


def error(version: int, req_id: int, code: int, text: str) -> bytes:
    fields: list[object] = [4]
    if version < V_ERROR_TIME:
        fields.append(2)
    fields += [req_id, code, text]
    if version >= V_ADVANCED_ORDER_REJECT:
        fields.append("")
    if version >= V_ERROR_TIME:
        fields.append(int(time.time() * 1000))
    return frame(fields)


def next_valid_id(order_id: int) -> bytes:
    return frame([9, 1, order_id])


def managed_accounts(accounts: tuple[str, ...]) -> bytes:
    return frame([15, 1, ",".join(accounts)])


def current_time(epoch: int) -> bytes:
    return frame([49, 1, epoch])


def current_time_millis(millis: int) -> bytes:
    return frame([109, millis])


def market_data_type(req_id: int, data_type: int) -> bytes:
    return frame([58, 1, req_id, data_type])


def tick_req_params(req_id: int, min_tick: float, bbo_exchange: str) -> bytes:
    return frame([81, req_id, min_tick, bbo_exchange, 3])


def _raw(text: str) -> bytes:
    payload = text.encode()
    return _LENGTH.pack(len(payload)) + payload


def tick_price(req_id: int, tick_type: int, price: float, size: object, mask: int = 0) -> bytes:
    # hot path: formatted directly (same bytes as frame([...]))
    return _raw(f"1\x006\x00{req_id}\x00{tick_type}\x00{price}\x00{size}\x00{mask}\x00")


def tick_size(req_id: int, tick_type: int, size: object) -> bytes:
    return _raw(f"2\x006\x00{req_id}\x00{tick_type}\x00{size}\x00")


def tick_snapshot_end(req_id: int) -> bytes:
    return frame([57, 1, req_id])


def tick_by_tick_bid_ask(req_id: int, epoch: int, bid: float, ask: float, bid_size: object, ask_size: object) -> bytes:
    return frame([99, req_id, 3, epoch, bid, ask, bid_size, ask_size, 0])


def tick_by_tick_last(req_id: int, tick_type: int, epoch: int, price: float, size: object, exchange: str) -> bytes:
    return frame([99, req_id, tick_type, epoch, price, size, 0, exchange, ""])


def tick_by_tick_midpoint(req_id: int, epoch: int, mid: float) -> bytes:
    return frame([99, req_id, 4, epoch, mid])


def _trading_hours(record: ContractRecord, days: list[str]) -> str:
    session = record.session
    if session in ("", "24h"):
        session = "0000-2359"
    start, end = session.split("-")
    segments = []
    for index, day in enumerate(days):
        if start > end and index > 0:  # overnight session opens the evening before
            segments.append(f"{days[index - 1]}:{start}-{day}:{end}")
        elif start <= end:
            segments.append(f"{day}:{start}-{day}:{end}")
    return ";".join(segments)


def trading_days(count: int = 5) -> list[str]:
    now = time.time()
    return [time.strftime("%Y%m%d", time.gmtime(now + 86_400 * i)) for i in range(-1, count)]


def contract_data(version: int, req_id: int, r: ContractRecord, days: list[str]) -> bytes:
    f: list[object] = [10]
    if version < V_SIZE_RULES:
        f.append(8)
    f += [req_id, r.symbol, r.secType, r.lastTradeDateOrContractMonth]
    if version >= V_LAST_TRADE_DATE:
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
    if version < V_SIZE_RULES:
        f.append(1)  # mdSizeMultiplier
    hours = _trading_hours(r, days)
    liquid = _trading_hours(_liquid_view(r), days)
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
        hours,
        liquid,
        r.evRule,
        r.evMultiplier or "",
        len(r.secIdList),
    ]
    for tag, value in r.secIdList:
        f += [tag, value]
    f += [r.aggGroup, r.underSymbol, r.underSecType, r.marketRuleIds, r.realExpirationDate, r.stockType]
    if version == 163:
        f.append(r.sizeIncrement)  # sizeMinTick
    if version >= V_SIZE_RULES:
        f += [r.minSize, r.sizeIncrement, r.suggestedSizeIncrement]
    if version >= V_INELIGIBILITY_REASONS:
        f.append(0)
    return frame(f)


def _liquid_view(r: ContractRecord) -> ContractRecord:
    if not r.liquidSession:
        return r
    import dataclasses

    return dataclasses.replace(r, session=r.liquidSession)


def bond_contract_data(version: int, req_id: int, r: ContractRecord, days: list[str]) -> bytes:
    f: list[object] = [18]
    if version < V_SIZE_RULES:
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
    if version < V_SIZE_RULES:
        f.append(1)
    f += [r.orderTypes, r.validExchanges, "", "", 0, "", r.longName]
    if version >= V_BOND_TRADING_HOURS:
        f += [r.timeZoneId, _trading_hours(r, days), _trading_hours(r, days)]
    f += [r.evRule, r.evMultiplier or "", len(r.secIdList)]
    for tag, value in r.secIdList:
        f += [tag, value]
    f += [r.aggGroup, r.marketRuleIds]
    if version >= V_SIZE_RULES:
        f += [r.minSize, r.sizeIncrement, r.suggestedSizeIncrement]
    return frame(f)


def contract_data_end(req_id: int) -> bytes:
    return frame([52, 1, req_id])


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
            75,
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
    return frame([76, req_id])


def historical_data(version: int, req_id: int, start: str, end: str, bars: list) -> bytes:
    f: list[object] = [17, req_id]
    if version < V_HISTORICAL_DATA_END:
        f += [start, end]
    f.append(len(bars))
    for date, bar in bars:
        f += [date, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count]
    return frame(f)


def historical_data_end(req_id: int, start: str, end: str) -> bytes:
    return frame([108, req_id, start, end])


def historical_data_update(req_id: int, date: str, bar) -> bytes:
    return frame([90, req_id, bar.count, date, bar.open, bar.close, bar.high, bar.low, bar.wap, bar.volume])


def real_time_bar(req_id: int, bar) -> bytes:
    return frame([50, 3, req_id, bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count])


def historical_ticks_midpoint(req_id: int, ticks: list, done: bool) -> bytes:
    f: list[object] = [96, req_id, len(ticks)]
    for epoch, price in ticks:
        f += [epoch, "", price, 0]
    f.append(done)
    return frame(f)


def historical_ticks_bid_ask(req_id: int, ticks: list, done: bool) -> bytes:
    f: list[object] = [97, req_id, len(ticks)]
    for epoch, q in ticks:
        f += [epoch, 0, q.bid, q.ask, q.bid_size, q.ask_size]
    f.append(done)
    return frame(f)


def historical_ticks_last(req_id: int, ticks: list, done: bool, exchange: str) -> bytes:
    f: list[object] = [98, req_id, len(ticks)]
    for epoch, q in ticks:
        f += [epoch, 0, q.last, q.last_size, exchange, ""]
    f.append(done)
    return frame(f)


def head_timestamp(req_id: int, text: str) -> bytes:
    return frame([88, req_id, text])


def market_depth_l2(
    req_id: int, position: int, maker: str, operation: int, side: int, price: float, size: object, smart: bool
) -> bytes:
    return frame([13, 1, req_id, position, maker, operation, side, price, size, smart])


def market_depth(req_id: int, position: int, operation: int, side: int, price: float, size: object) -> bytes:
    return frame([12, 1, req_id, position, operation, side, price, size])
