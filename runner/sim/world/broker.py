"""The simulated broker: order lifecycle, matching against simulated quotes, booking fills."""

from __future__ import annotations

import time

from runner.ib.error_codes import ErrorCode
from runner.sim.world.account import Account, Execution, Valuation, commission_for
from runner.sim.world.events import OrderCancelled, OrderFilled, OrderListener, OrderRejected, OrderUpdated
from runner.sim.world.market import Market
from runner.sim.world.orders import OrderTicket, SimOrder, auction_price, fill_price, gtd_expired, validation_error
from runner.sim.world.records import ContractRecord

PositionSnapshot = dict[tuple[str, int], tuple[float, float]]
"""(account, conId) → (size, average cost) of every position."""


class Broker:
    """Orders, matching and accounts. Every change of an order is told to `listener` at once."""

    def __init__(
        self, market: Market, accounts: tuple[str, ...], cash: float, base_currency: str, listener: OrderListener
    ) -> None:
        self.market = market
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
        order.ib_status = "PreSubmitted" if self._is_held(order) else "Submitted"
        self.listener(OrderUpdated(order))
        if not order.is_auction and not self._is_held(order):
            self._try_fill(order, resting=False)
        if not order.is_done and order.tif in ("IOC", "FOK"):
            self._cancel(order, "Order Canceled - reason:IOC/FOK not immediately fillable")

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
            elif not order.is_auction and not self._is_held(order):
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

    def expire_day_orders(self) -> int:
        expired = [o for o in self.working_orders() if o.tif in ("DAY", "OPG", "CLS")]
        for order in expired:
            self._cancel(order, "Order Canceled - reason:end of day")
        return len(expired)

    def _try_fill(self, order: SimOrder, resting: bool) -> None:
        now = time.time()
        was_triggered = order.triggered
        price = fill_price(order, self.market.quote(order.record, now), resting)
        if price is not None:
            self._fill(order, order.remaining, price, now)
        elif order.triggered and not was_triggered:
            self.listener(OrderUpdated(order))

    def _fill(self, order: SimOrder, shares: float, price: float, now: float) -> None:
        account = self.account_for(order.account)
        commission = commission_for(order.record, shares, price)
        signed = shares if order.is_buy else -shares
        realized = account.apply_fill(order.record, signed, price, commission)
        order.avg_fill_price = (order.avg_fill_price * order.filled + price * shares) / (order.filled + shares)
        order.filled += shares
        order.last_fill_price = price
        execution = self._execution(order, account, shares, price, now, commission, realized)
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
