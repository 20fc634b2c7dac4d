"""Server→client order, execution and account messages (layouts from ibapi/orderdecoder.py)."""

from __future__ import annotations

from runner.ib.error_codes import ErrorCode
from runner.sim.protocol.encoders import error
from runner.sim.protocol.messages import ServerMsg as M
from runner.sim.protocol.messages import ServerVersion as V
from runner.sim.protocol.wire import frame
from runner.sim.world.account import Execution
from runner.sim.world.events import OrderCancelled, OrderEvent, OrderFilled, OrderUpdated
from runner.sim.world.orders import SimOrder
from runner.sim.world.records import ContractRecord

UNSET_DOUBLE = "1.7976931348623157E308"  # what IB sends for an unset double


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


def _order_head(o: SimOrder) -> list[object]:
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


def open_order(version: int, o: SimOrder) -> bytes:
    f: list[object] = [
        M.OPEN_ORDER,
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
    if version < V.FA_PROFILE_DESUPPORT:
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
    if version >= V.FULL_ORDER_PREVIEW_FIELDS:
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
    if version >= V.PEGBEST_PEGMID_OFFSETS:
        f += ["", "", "", "", ""]
    f += _trailing_flags(version)
    return frame(f)


def _duration_fields(version: int) -> list[object]:
    f: list[object] = []
    if version >= V.DURATION:
        f.append("")
    if version >= V.POST_TO_ATS:
        f.append("")
    if version >= V.AUTO_CANCEL_PARENT:
        f.append(False)
    return f


def _trailing_flags(version: int) -> list[object]:
    f: list[object] = []
    if version >= V.CUSTOMER_ACCOUNT:
        f.append("")
    if version >= V.PROFESSIONAL_CUSTOMER:
        f.append(False)
    if version >= V.BOND_ACCRUED_INTEREST:
        f.append("")
    if version >= V.INCLUDE_OVERNIGHT:
        f.append(False)
    if version >= V.CME_TAGGING_FIELDS_IN_OPEN_ORDER:
        f += ["", ""]
    if version >= V.SUBMITTER:
        f.append("")
    if version >= V.IMBALANCE_ONLY:
        f.append(False)
    return f


def completed_order(version: int, o: SimOrder) -> bytes:
    f: list[object] = [
        M.COMPLETED_ORDER,
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
    if version < V.FA_PROFILE_DESUPPORT:
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
    if version >= V.PEGBEST_PEGMID_OFFSETS:
        f += ["", "", "", "", ""]
    if version >= V.CUSTOMER_ACCOUNT:
        f.append("")
    if version >= V.PROFESSIONAL_CUSTOMER:
        f.append(False)
    if version >= V.SUBMITTER:
        f.append("")
    return frame(f)


def completed_orders_end() -> bytes:
    return frame([M.COMPLETED_ORDERS_END])


def order_status(o: SimOrder) -> bytes:
    return frame(
        [
            M.ORDER_STATUS,
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
    return frame([M.OPEN_ORDER_END, 1])


def exec_details(version: int, req_id: int, e: Execution) -> bytes:
    f: list[object] = [
        M.EXECUTION_DATA,
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
    if version >= V.PENDING_PRICE_REVISION:
        f.append(False)
    if version >= V.SUBMITTER:
        f.append("")
    return frame(f)


def exec_details_end(req_id: int) -> bytes:
    return frame([M.EXECUTION_DATA_END, 1, req_id])


def commission_report(e: Execution) -> bytes:
    realized = e.realized_pnl if e.realized_pnl is not None else UNSET_DOUBLE
    return frame(
        [
            M.COMMISSION_AND_FEES_REPORT,
            1,
            e.exec_id,
            round(e.commission, 6),
            e.commission_currency,
            realized,
            UNSET_DOUBLE,
            0,
        ]
    )


def order_event(version: int, event: OrderEvent) -> list[bytes]:
    """What IB sends when an order changes (for one session's version)."""
    if isinstance(event, OrderUpdated):
        return [open_order(version, event.order), order_status(event.order)]
    if isinstance(event, OrderFilled):  # IB's order: execution, order state, commission last
        execution, order = event.execution, event.order
        return [
            exec_details(version, -1, execution),
            open_order(version, order),
            order_status(order),
            commission_report(execution),
        ]
    if isinstance(event, OrderCancelled):
        text = event.reason
        return [order_status(event.order), error(version, event.order.order_id, ErrorCode.ORDER_CANCELLED, text)]
    return [error(version, event.order_id, event.code, event.text)]
