"""The simulated broker: order lifecycle, matching against simulated quotes, booking fills."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from runner.ib.error_codes import ErrorCode
from runner.sim.world.account import Account, Execution, Valuation
from runner.sim.world.commissions import OrderVolume, execution_commission, schedule_for, volume_key
from runner.sim.world.events import (
    OrderCancelled,
    OrderFilled,
    OrderListener,
    OrderNotice,
    OrderRejected,
    OrderUpdated,
)
from runner.sim.world.market import Market, Quote
from runner.sim.world.orders import OrderTicket, SimOrder, auction_price, fill_price, gtd_expired, validation_error
from runner.sim.world.records import ContractRecord
from runner.sim.world.sessions import MarketHours

PositionSnapshot = dict[tuple[str, int], tuple[float, float]]
"""(account, conId) → (size, average cost) of every position."""


class Broker:
    """Orders, matching and accounts. Every change of an order is told to `listener` at once."""

    def __init__(
        self,
        market: Market,
        hours: MarketHours,
        accounts: tuple[str, ...],
        cash: float,
        base_currency: str,
        listener: OrderListener,
    ) -> None:
        self.market = market
        self.hours = hours
        self.accounts = {name: Account(name, base_currency, {base_currency: cash}) for name in accounts}
        self.listener = listener
        self.orders: dict[tuple[int, int], SimOrder] = {}
        self.completed: list[SimOrder] = []
        self.next_order_id = 1
        self._next_perm = 1_000_000_000 + market.seed % 1000 * 1000
        self._exec_seq = 0

    # --- helpers --------------------------------------------------------------------
    def account_for(self, name: str) -> Account:
        return self.accounts.get(name) or next(iter(self.accounts.values()))

    def valuation(self, account: Account) -> Valuation:
        now = time.time()
        return Valuation(account, lambda r: self.market.quote(r, now).mid, self.fx_rate)

    def fx_rate(self, currency: str) -> float:
        base = next(iter(self.accounts.values())).base_currency
        if currency == base:
            return 1.0
        now = time.time()
        for record in self.market.universe.by_sec_type.get("CASH", ()):
            if record.symbol == currency and record.currency == base:
                return self.market.quote(record, now).mid
            if record.symbol == base and record.currency == currency:
                return 1.0 / self.market.quote(record, now).mid
        return 1.0

    def working_orders(self) -> list[SimOrder]:
        return [o for o in self.orders.values() if not o.is_done]

    def position_snapshot(self) -> PositionSnapshot:
        return {
            (a.name, p.record.conId): (p.size, p.avg_cost) for a in self.accounts.values() for p in a.positions.values()
        }

    # --- requests -------------------------------------------------------------------
    def reject(self, client_id: int, order_id: int, code: ErrorCode, text: str) -> None:
        self.listener(OrderRejected(client_id, order_id, code, text))

    def place(self, client_id: int, ticket: OrderTicket, record: ContractRecord) -> None:
        self.next_order_id = max(self.next_order_id, ticket.order_id + 1)
        existing = self.orders.get((client_id, ticket.order_id))
        if existing is not None:
            self._modify(existing, ticket)
            return
        problem = validation_error(ticket)
        if problem:
            self.reject(client_id, ticket.order_id, ErrorCode.ORDER_REJECTED, f"Order rejected - reason:{problem}")
            return
        order = self._new_order(client_id, ticket, record)
        self.orders[(client_id, ticket.order_id)] = order
        now = time.time()
        tradable = self._tradable(order, now)
        if order.tif == "DAY":
            order.day_end = self.hours.session_end(record, now, rth=not order.outside_rth)
        order.ib_status = "Submitted" if tradable and not self._is_held(order) else "PreSubmitted"
        self.listener(OrderUpdated(order))
        if not tradable and order.tif not in ("IOC", "FOK") and not order.is_auction:
            self._notice_closed(order, now)
        if tradable and not order.is_auction and not self._is_held(order):
            self._try_fill(order, resting=False)
        if not order.is_done and order.tif in ("IOC", "FOK"):
            self._cancel(order, "Order Canceled - reason:IOC/FOK not immediately fillable")

    def _tradable(self, order: SimOrder, now: float) -> bool:
        """Stocks trade in the regular session unless the order may fill outside it."""
        return self.hours.is_open(order.record, now, rth=not order.outside_rth)

    def _notice_closed(self, order: SimOrder, now: float) -> None:
        """IB accepts the order and says when it will reach the exchange (warning 399)."""
        opens = self.hours.next_open(order.record, now, rth=not order.outside_rth)
        when = "the market opens"
        if opens is not None:
            tz = order.record.timeZoneId
            when = f"{_local(opens, tz)} {tz}"
        r = order.record
        text = (
            f"Order Message:\n{order.action} {order.total_qty:g} {r.localSymbol or r.symbol} {r.exchange}\n"
            f"Warning: your order will not be placed at the exchange until {when}"
        )
        self.listener(OrderNotice(order.client_id, order.order_id, ErrorCode.ORDER_MESSAGE, text))

    def _new_order(self, client_id: int, ticket: OrderTicket, record: ContractRecord) -> SimOrder:
        self._next_perm += 1
        account = ticket.account or next(iter(self.accounts))
        order = SimOrder(
            order_id=ticket.order_id,
            client_id=client_id,
            perm_id=self._next_perm,
            account=account,
            record=record,
            action="BUY" if ticket.action == "BUY" else "SELL",
            total_qty=ticket.total_qty,
            order_type=ticket.order_type,
            lmt_price=None,
            aux_price=None,
            tif=ticket.tif,
        )
        order.apply(ticket)
        if order.total_qty <= 0 and ticket.cash_qty:
            price = self.market.quote(record, time.time()).ask
            order.total_qty = round(ticket.cash_qty / price, 8)
        return order

    def _is_held(self, order: SimOrder) -> bool:
        parent = self.orders.get((order.client_id, order.parent_id)) if order.parent_id else None
        return order.is_auction or not order.transmit or (parent is not None and parent.ib_status != "Filled")

    def _modify(self, order: SimOrder, ticket: OrderTicket) -> None:
        if order.is_done:
            self.reject(
                order.client_id,
                order.order_id,
                ErrorCode.CANNOT_MODIFY_FINISHED_ORDER,
                f"Cannot modify a filled or cancelled order (status {order.ib_status})",
            )
            return
        problem = validation_error(ticket)
        if problem or ticket.total_qty < order.filled:
            self.reject(
                order.client_id,
                order.order_id,
                ErrorCode.ORDER_REJECTED,
                f"Order rejected - reason:{problem or 'size below filled quantity'}",
            )
            return
        order.apply(ticket)
        self.listener(OrderUpdated(order))
        if not order.is_auction and not self._is_held(order):
            self._try_fill(order, resting=False)

    def cancel(self, client_id: int, order_id: int) -> None:
        order = self.orders.get((client_id, order_id))
        if order is None or order.is_done:
            self.reject(
                client_id,
                order_id,
                ErrorCode.CANCEL_UNKNOWN_ORDER,
                f"OrderId {order_id} that needs to be cancelled is not found.",
            )
            return
        self._cancel(order, "Order Canceled - reason:")

    def cancel_all(self) -> None:
        for order in self.working_orders():
            self._cancel(order, "Order Canceled - reason:Global cancel")

    def _cancel(self, order: SimOrder, reason: str) -> None:
        order.ib_status = "Cancelled"
        self._complete(order, "Cancelled")
        self.listener(OrderCancelled(order, reason))

    def _complete(self, order: SimOrder, status: str) -> None:
        order.completed_time = time.strftime("%Y%m%d %H:%M:%S UTC", time.gmtime())
        order.completed_status = status
        self.completed.append(order)

    # --- matching -------------------------------------------------------------------
    def on_tick(self, now: float) -> None:
        for order in self.working_orders():
            if gtd_expired(order, now):
                self._cancel(order, "Order Canceled - reason:GTD expired")
            elif order.day_end is not None and now >= order.day_end:
                self._cancel(order, "Order Canceled - reason:end of day")
            elif not order.is_auction and not self._is_held(order) and self._tradable(order, now):
                if order.ib_status == "PreSubmitted":  # the market opened: the order goes out
                    order.ib_status = "Submitted"
                    self.listener(OrderUpdated(order))
                self._try_fill(order, resting=True)

    def run_auction(self, now: float | None = None) -> int:
        """Fill auction orders (MOC/LOC/OPG/CLS) at the auction price; LOC may not fill."""
        now = now or time.time()
        count = 0
        for order in self.working_orders():
            if not order.is_auction:
                continue
            price = auction_price(order, self.market.quote(order.record, now))
            if price is None:
                self._cancel(order, "Order Canceled - reason:limit not reached in auction")
            else:
                self._fill(order, order.remaining, price, now)
                count += 1
        return count

    def exercise(self, record: ContractRecord, account_name: str, quantity: int, lapse: bool) -> str | None:
        """Exercise (or let lapse) a long option position: the option is booked out and, when
        exercised, the underlying booked in at the strike. Why not, or None."""
        account = self.account_for(account_name)
        position = account.positions.get(record.conId)
        underlying = self.market.universe.get(record.underConId)
        if not record.is_derivative or position is None or position.size < quantity or underlying is None:
            return "no_position"
        spot = self.market.level(underlying, time.time())
        in_the_money = spot > record.strike if record.right == "C" else spot < record.strike
        if not lapse and not in_the_money:
            return "not_itm"
        multiplier = record.contract_multiplier
        account.apply_fill(record, -quantity, 0.0, 0.0)
        if not lapse:
            units = quantity * multiplier / underlying.contract_multiplier
            signed = units if record.right == "C" else -units
            account.apply_fill(underlying, signed, record.strike, 0.0)
        return None

    def expire_day_orders(self) -> int:
        expired = [o for o in self.working_orders() if o.tif in ("DAY", "OPG", "CLS")]
        for order in expired:
            self._cancel(order, "Order Canceled - reason:end of day")
        return len(expired)

    def _try_fill(self, order: SimOrder, resting: bool) -> None:
        """Fill what the displayed size at the touch allows now: the rest waits for the next
        quotes (a FOK order fills entirely or not at all)."""
        now = time.time()
        was_triggered = order.triggered
        quote = self.market.quote(order.record, now)
        price = fill_price(order, quote, resting)
        if price is not None:
            shares = min(order.remaining, _displayed(order, quote))
            if order.tif == "FOK" and shares < order.remaining:
                return
            self._fill(order, shares, price, now, adding=resting and order.lmt_price is not None)
        elif order.triggered and not was_triggered:
            self.listener(OrderUpdated(order))

    def _commission(
        self, order: SimOrder, account: Account, shares: float, price: float, now: float, adding: bool
    ) -> float:
        record = order.record
        value = shares * price * record.contract_multiplier
        key = volume_key(record.secType)
        month = account.volume_this_month(key, now)
        commission = execution_commission(
            record.secType, order.volume, shares, value, month, adding=adding, selling=not order.is_buy
        )
        v = order.volume
        order.volume = OrderVolume(v.units + shares, v.value + value, v.commission + commission)
        account.add_volume(key, now, shares if schedule_for(record.secType).per == "unit" else value)
        return commission

    def _fill(self, order: SimOrder, shares: float, price: float, now: float, adding: bool = False) -> None:
        account = self.account_for(order.account)
        commission = self._commission(order, account, shares, price, now, adding)
        signed = shares if order.is_buy else -shares
        realized = account.apply_fill(order.record, signed, price, commission)
        order.avg_fill_price = (order.avg_fill_price * order.filled + price * shares) / (order.filled + shares)
        order.filled += shares
        order.last_fill_price = price
        execution = self._execution(order, account, shares, price, now, commission, realized)
        execution.liquidity = 1 if adding else 2
        account.executions.append(execution)
        if order.remaining <= 1e-12:
            order.ib_status = "Filled"
            self._complete(order, "Filled")
        self.listener(OrderFilled(order, execution))
        if order.ib_status == "Filled":
            self._after_fill(order)

    def _execution(
        self,
        order: SimOrder,
        account: Account,
        shares: float,
        price: float,
        now: float,
        commission: float,
        realized: float | None,
    ) -> Execution:
        self._exec_seq += 1
        exchange = (
            order.record.exchange if order.record.exchange != "SMART" else (order.record.primaryExchange or "ISLAND")
        )
        return Execution(
            exec_id=f"{order.perm_id:08x}.{self._exec_seq:08x}.01.01",
            order_id=order.order_id,
            client_id=order.client_id,
            perm_id=order.perm_id,
            account=account.name,
            record=order.record,
            side="BOT" if order.is_buy else "SLD",
            shares=shares,
            price=price,
            cum_qty=order.filled,
            avg_price=order.avg_fill_price,
            order_ref=order.order_ref,
            epoch=now,
            exchange=exchange,
            commission=commission,
            commission_currency=account.base_currency,
            realized_pnl=realized,
        )

    def _after_fill(self, order: SimOrder) -> None:
        """Release children of a filled parent; cancel the rest of its OCA group."""
        for other in self.working_orders():
            if other.client_id == order.client_id and other.parent_id == order.order_id:
                other.ib_status = "Submitted"
                self.listener(OrderUpdated(other))
            elif order.oca_group and other.oca_group == order.oca_group:
                self._cancel(other, "Order Canceled - reason:OCA group member filled")


def _displayed(order: SimOrder, quote: Quote) -> float:
    """What the other side shows at the touch (a buy lifts the ask size)."""
    return float(quote.ask_size if order.is_buy else quote.bid_size)


def _local(epoch: float, time_zone: str) -> str:
    return dt.datetime.fromtimestamp(epoch, ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")
