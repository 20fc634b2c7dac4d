"""What the broker tells the outside world about orders. The handlers encode each event for
every session that sees it (the placing client and client id 0), at the moment it happens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runner.ib.error_codes import ErrorCode
from runner.sim.world.account import Execution
from runner.sim.world.orders import SimOrder


@dataclass(frozen=True, slots=True)
class OrderRejected:
    """A request about an order was refused (reject, unknown order, modify of a finished one)."""

    client_id: int
    order_id: int
    code: ErrorCode
    text: str


@dataclass(frozen=True, slots=True)
class OrderNotice:
    """An accepted order comes with a warning (e.g. 399: it waits for the market to open)."""

    client_id: int
    order_id: int
    code: ErrorCode
    text: str


@dataclass(frozen=True, slots=True)
class OrderUpdated:
    """The order was accepted, modified, released or triggered: its current state."""

    order: SimOrder

    @property
    def client_id(self) -> int:
        return self.order.client_id


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    order: SimOrder
    reason: str

    @property
    def client_id(self) -> int:
        return self.order.client_id


@dataclass(frozen=True, slots=True)
class OrderFilled:
    order: SimOrder
    execution: Execution

    @property
    def client_id(self) -> int:
        return self.order.client_id


OrderEvent = OrderRejected | OrderNotice | OrderUpdated | OrderCancelled | OrderFilled
OrderListener = Callable[[OrderEvent], None]
