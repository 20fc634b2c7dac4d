"""Server→client order, execution and account messages (layouts from ibapi/orderdecoder.py)."""

from __future__ import annotations

from runner.sim.protocol.wire import frame
from runner.sim.world.records import ContractRecord

UNSET_DOUBLE = "1.7976931348623157E308"  # what IB sends for an unset double
V_FA_PROFILE_DESUPPORT = 177
V_PENDING_PRICE_REVISION = 178
V_CUSTOMER_ACCOUNT = 183
V_PROFESSIONAL_CUSTOMER = 184
V_BOND_ACCRUED_INTEREST = 185
V_INCLUDE_OVERNIGHT = 189
V_CME_TAGGING_OPEN_ORDER = 193
V_FULL_ORDER_PREVIEW = 195
V_SUBMITTER = 198
V_IMBALANCE_ONLY = 199
V_PEGBEST_PEGMID = 170


def qty(value: float) -> str:
    text = f"{value:.8f}".rstrip("0").rstrip(".")
    return text or "0"


def opt(value: float | None) -> object:
    """A SHOW_UNSET double: empty when unset."""
    return "" if value is None else value


def unset(value: float | None) -> object:
    """A plain double the decoder reads without SHOW_UNSET: IB's max-double when unset."""
    return UNSET_DOUBLE if value is None else value


def contract_fields(r: ContractRecord) -> list[object]:
    return [
        r.conId,
        r.symbol,
        r.secType,
        r.lastTradeDateOrContractMonth,
        r.strike or 0,
        r.right,
        r.multiplier,
        r.exchange,
        r.currency,
        r.localSymbol,
        r.tradingClass,
    ]


def _order_head(o) -> list[object]:
    return [
        o.action,
        qty(o.total_qty),
        o.order_type,
        opt(o.lmt_price),
        opt(o.aux_price),
        o.tif,
        o.oca_group,
        o.account,
        o.open_close,
        0,
        o.order_ref,
    ]


def open_order(version: int, o) -> bytes:
    f: list[object] = [
        5,
        o.order_id,
        *contract_fields(o.record),
        *_order_head(o),
        o.client_id,
        o.perm_id,
        o.outside_rth,
        False,
        0,
        o.good_after_time,
        "",
        "",
        "",
        "",
    ]
    if version < V_FA_PROFILE_DESUPPORT:
        f.append("")
    f += [
        "",
        o.good_till_date,
        "",
        "",
        "",
        0,
        "",
        -1,
        0,
        "",
        "",
        "",
        "",
        "",
        "",
        False,
        False,
        False,
        "",
        3,
        False,
        False,
        "",
        o.parent_id,
        0,
    ]
    f += ["", 0, "", "", False, 0]  # volatility block without delta-neutral
    f += [opt(o.trail_stop_price), opt(o.trailing_percent), "", "", "", 0, 0, 0, "", "", ""]
    f += ["", False, "", "", False, False, "", False]  # hedge..solicited
    f += [False, o.ib_status, "", "", "", "", "", "", "", "", "", "", "", "", ""]
    if version >= V_FULL_ORDER_PREVIEW:
        f += ["", *([""] * 9), "", "", 0]
    f += ["", False, False, 0]  # warning, randomize size/price, conditions
    f += [
        "",
        unset(None),
        unset(o.trail_stop_price),
        unset(o.lmt_price_offset),
        unset(None),
        unset(None),
        unset(None),
        0,
        "",
        "",
        "",
        unset(None),
        False,
        False,
        False,
        False,
    ]
    f += _duration_fields(version)
    if version >= V_PEGBEST_PEGMID:
        f += ["", "", "", "", ""]
    f += _trailing_flags(version, o)
    return frame(f)


def _duration_fields(version: int) -> list[object]:
    f: list[object] = []
    if version >= 158:  # duration
        f.append("")
    if version >= 160:  # postToAts
        f.append("")
    if version >= 162:  # autoCancelParent
        f.append(False)
    return f


def _trailing_flags(version: int, o) -> list[object]:
    f: list[object] = []
    if version >= V_CUSTOMER_ACCOUNT:
        f.append("")
    if version >= V_PROFESSIONAL_CUSTOMER:
        f.append(False)
    if version >= V_BOND_ACCRUED_INTEREST:
        f.append("")
    if version >= V_INCLUDE_OVERNIGHT:
        f.append(False)
    if version >= V_CME_TAGGING_OPEN_ORDER:
        f += ["", ""]
    if version >= V_SUBMITTER:
        f.append("")
    if version >= V_IMBALANCE_ONLY:
        f.append(False)
    return f


def completed_order(version: int, o) -> bytes:
    f: list[object] = [
        101,
        *contract_fields(o.record),
        *_order_head(o),
        o.perm_id,
        o.outside_rth,
        False,
        0,
        o.good_after_time,
        "",
        "",
        "",
    ]
    if version < V_FA_PROFILE_DESUPPORT:
        f.append("")
    f += ["", o.good_till_date, "", "", "", 0, "", -1, "", "", "", "", "", "", False, False, "", 3, 0]
    f += ["", 0, "", "", False, 0, opt(o.trail_stop_price), opt(o.trailing_percent)]
    f += ["", 0, 0, 0, "", "", "", "", "", "", False, False, "", False, o.ib_status]
    f += [
        False,
        False,
        0,
        unset(o.trail_stop_price),
        unset(o.lmt_price_offset),
        unset(None),
        False,
        False,
        "",
        qty(o.filled),
        0,
        False,
        "",
        False,
        False,
        0,
        o.completed_time,
        o.completed_status,
    ]
    if version >= V_PEGBEST_PEGMID:
        f += ["", "", "", "", ""]
    if version >= V_CUSTOMER_ACCOUNT:
        f.append("")
    if version >= V_PROFESSIONAL_CUSTOMER:
        f.append(False)
    if version >= V_SUBMITTER:
        f.append("")
    return frame(f)


def completed_orders_end() -> bytes:
    return frame([102])


def order_status(o) -> bytes:
    return frame(
        [
            3,
            o.order_id,
            o.ib_status,
            qty(o.filled),
            qty(o.remaining),
            o.avg_fill_price,
            o.perm_id,
            o.parent_id,
            o.last_fill_price,
            o.client_id,
            "",
            0,
        ]
    )


def open_order_end() -> bytes:
    return frame([53, 1])


def exec_details(version: int, req_id: int, e) -> bytes:
    f: list[object] = [
        11,
        req_id,
        e.order_id,
        *contract_fields(e.record),
        e.exec_id,
        e.time_text,
        e.account,
        e.exchange,
        e.side,
        qty(e.shares),
        e.price,
        e.perm_id,
        e.client_id,
        0,
        qty(e.cum_qty),
        e.avg_price,
        e.order_ref,
        "",
        "",
        "",
        e.liquidity,
    ]
    if version >= V_PENDING_PRICE_REVISION:
        f.append(False)
    if version >= V_SUBMITTER:
        f.append("")
    return frame(f)


def exec_details_end(req_id: int) -> bytes:
    return frame([55, 1, req_id])


def commission_report(e) -> bytes:
    realized = e.realized_pnl if e.realized_pnl is not None else UNSET_DOUBLE
    return frame([59, 1, e.exec_id, round(e.commission, 6), e.commission_currency, realized, UNSET_DOUBLE, 0])


def position(account: str, r: ContractRecord, size: float, avg_cost: float) -> bytes:
    return frame([61, 3, account, *contract_fields(r), qty(size), avg_cost])


def position_end() -> bytes:
    return frame([62, 1])


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> bytes:
    return frame([63, 1, req_id, account, tag, value, currency])


def account_summary_end(req_id: int) -> bytes:
    return frame([64, 1, req_id])


def account_value(key: str, value: str, currency: str, account: str) -> bytes:
    return frame([6, 2, key, value, currency, account])


def portfolio_value(
    r: ContractRecord,
    size: float,
    price: float,
    value: float,
    avg_cost: float,
    unrealized: float,
    realized: float,
    account: str,
) -> bytes:
    return frame(
        [
            7,
            8,
            r.conId,
            r.symbol,
            r.secType,
            r.lastTradeDateOrContractMonth,
            r.strike or 0,
            r.right,
            r.multiplier,
            r.primaryExchange or r.exchange,
            r.currency,
            r.localSymbol,
            r.tradingClass,
            qty(size),
            price,
            round(value, 2),
            avg_cost,
            round(unrealized, 2),
            round(realized, 2),
            account,
        ]
    )


def account_update_time(text: str) -> bytes:
    return frame([8, 1, text])


def account_download_end(account: str) -> bytes:
    return frame([54, 1, account])


def pnl(req_id: int, daily: float, unrealized: float, realized: float) -> bytes:
    return frame([94, req_id, round(daily, 2), round(unrealized, 2), round(realized, 2)])


def pnl_single(req_id: int, size: float, daily: float, unrealized: float, realized: float, value: float) -> bytes:
    return frame([95, req_id, qty(size), round(daily, 2), round(unrealized, 2), round(realized, 2), round(value, 2)])
