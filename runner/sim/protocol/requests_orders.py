"""Order, execution and account requests as frozen values (layouts from ibapi/client.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from runner.sim.protocol.messages import ServerVersion
from runner.sim.protocol.requests import contract, optional_price
from runner.sim.protocol.wire import Fields
from runner.sim.world.account import ExecutionFilter
from runner.sim.world.orders import OrderTicket
from runner.sim.world.universe import ContractQuery


@dataclass(frozen=True, slots=True)
class PlaceOrderRequest:
    contract: ContractQuery
    ticket: OrderTicket


def place_order(f: Fields, version: int) -> PlaceOrderRequest:
    order_id = f.int()
    query = contract(f, sec_id=True)
    head = _order_head(f, order_id)
    if query.secType.upper() == "BAG":
        return PlaceOrderRequest(query, head)  # combo legs are not simulated; the order is rejected later
    return PlaceOrderRequest(query, _order_body(f, version, head))


def _order_head(f: Fields, order_id: int) -> OrderTicket:
    action, total_qty, order_type = f.str().upper(), f.float(), f.str().upper()
    lmt_price, aux_price = optional_price(f), optional_price(f)
    tif, oca_group, account, open_close = f.str().upper() or "DAY", f.str(), f.str(), f.str()
    f.skip()  # origin
    order_ref, transmit, parent_id = f.str(), f.bool(), f.int()
    f.skip(4)  # blockOrder, sweepToFill, displaySize, triggerMethod
    outside_rth = f.bool()
    f.skip()  # hidden
    return OrderTicket(
        order_id=order_id,
        action=action,
        total_qty=total_qty,
        order_type=order_type,
        lmt_price=lmt_price,
        aux_price=aux_price,
        tif=tif,
        oca_group=oca_group,
        account=account,
        open_close=open_close,
        order_ref=order_ref,
        transmit=transmit,
        parent_id=parent_id,
        outside_rth=outside_rth,
    )


def _order_body(f: Fields, version: int, head: OrderTicket) -> OrderTicket:
    f.skip(2)  # sharesAllocation, discretionaryAmt
    good_after_time, good_till_date = f.str(), f.str()
    f.skip(3 + (1 if version < ServerVersion.FA_PROFILE_DESUPPORT else 0) + 1)  # FA fields, modelCode
    f.skip(3)  # shortSaleSlot, designatedLocation, exemptCode
    oca_type = f.int()
    f.skip(17)  # rule80A .. volatilityType
    delta_neutral_type = f.str()
    f.skip()
    if delta_neutral_type:
        f.skip(8)
    f.skip(2)  # continuousUpdate, referencePriceType
    trail_stop_price, trailing_percent = optional_price(f), optional_price(f)
    what_if, lmt_price_offset, cash_qty = _order_tail(f, head.order_type)
    return dataclasses.replace(
        head,
        good_after_time=good_after_time,
        good_till_date=good_till_date,
        oca_type=oca_type,
        trail_stop_price=trail_stop_price,
        trailing_percent=trailing_percent,
        what_if=what_if,
        lmt_price_offset=lmt_price_offset,
        cash_qty=cash_qty,
    )


def _order_tail(f: Fields, order_type: str) -> tuple[bool, float | None, float | None]:
    """Walk the variable part after trailingPercent: (whatIf, lmtPriceOffset, cashQty)."""
    f.skip(2)  # scaleInitLevelSize, scaleSubsLevelSize
    increment = optional_price(f)
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
    what_if = f.bool()
    f.skip(4)  # orderMiscOptions, solicited, randomizeSize, randomizePrice
    if order_type == "PEG BENCH":
        f.skip(5)
    if f.int() > 0:
        return what_if, None, None  # order conditions are not simulated; their layout varies per type
    f.skip(2)  # adjustedOrderType, triggerPrice
    lmt_price_offset = optional_price(f)
    f.skip(4)  # adjusted stop/stop-limit/trailing amount/unit
    f.skip(3)  # extOperator, softDollarTier name/value
    return what_if, lmt_price_offset, optional_price(f)


@dataclass(frozen=True, slots=True)
class CancelOrderRequest:
    order_id: int


def cancel_order(f: Fields, version: int) -> CancelOrderRequest:
    if version < ServerVersion.CME_TAGGING_FIELDS:
        f.skip()  # VERSION
    return CancelOrderRequest(f.int())


@dataclass(frozen=True, slots=True)
class ExecutionsRequest:
    req_id: int
    filter: ExecutionFilter


def executions(f: Fields, version: int) -> ExecutionsRequest:
    f.skip()  # VERSION (always sent)
    req = f.int()
    wanted = ExecutionFilter(
        client_id=f.int(),
        account=f.str(),
        time=f.str(),
        symbol=f.str(),
        sec_type=f.str(),
        exchange=f.str(),
        side=f.str(),
    )
    return ExecutionsRequest(req, wanted)


@dataclass(frozen=True, slots=True)
class AccountSummaryRequest:
    req_id: int
    group: str
    tags: str
    """Comma-separated tags; `$LEDGER...` adds cash balances per currency."""


def account_summary(f: Fields, version: int) -> AccountSummaryRequest:
    f.skip()  # VERSION
    return AccountSummaryRequest(f.int(), f.str(), f.str())


@dataclass(frozen=True, slots=True)
class AccountUpdatesRequest:
    subscribe: bool
    account: str


def account_updates(f: Fields, version: int) -> AccountUpdatesRequest:
    f.skip()  # VERSION
    return AccountUpdatesRequest(f.bool(), f.str())


@dataclass(frozen=True, slots=True)
class PnlRequest:
    req_id: int
    account: str


def pnl(f: Fields, version: int) -> PnlRequest:
    return PnlRequest(f.int(), f.str())


@dataclass(frozen=True, slots=True)
class PnlSingleRequest:
    req_id: int
    account: str
    model_code: str
    con_id: int


def pnl_single(f: Fields, version: int) -> PnlSingleRequest:
    return PnlSingleRequest(f.int(), f.str(), f.str(), f.int())
