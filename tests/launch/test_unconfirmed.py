"""Marking a recovered cache's INITIALIZED orders SUBMITTED, on nautilus' own cache, execution
engine and client base (the IB client's routing and account are what matters here). The marking
with IB settling the orders is tested end to end against `ibrun sim` and Redis in
test_redis_restart.py."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from nautilus_trader.common.factories import OrderFactory
from nautilus_trader.execution.client import ExecutionClient
from nautilus_trader.execution.engine import ExecutionEngine
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide, OrderStatus
from nautilus_trader.model.events import OrderSubmitted
from nautilus_trader.model.identifiers import AccountId, ClientId, InstrumentId, StrategyId, TraderId, Venue
from nautilus_trader.model.objects import Price, Quantity
from nautilus_trader.test_kit.stubs.component import TestComponentStubs

from runner.launch.unconfirmed import mark_unconfirmed_submitted

ACCOUNT = AccountId("INTERACTIVE_BROKERS-DU123456")


def node_with_order(strategy: str, with_client: bool = True) -> tuple[Any, Any]:
    clock, msgbus, cache = TestComponentStubs.clock(), TestComponentStubs.msgbus(), TestComponentStubs.cache()
    engine = ExecutionEngine(msgbus=msgbus, cache=cache, clock=clock)
    if with_client:
        client = ExecutionClient(
            ClientId("INTERACTIVE_BROKERS"), Venue("INTERACTIVE_BROKERS"), OmsType.NETTING,
            AccountType.MARGIN, None, msgbus, cache, clock,
        )  # fmt: skip
        client._set_account_id(ACCOUNT)
        engine.register_default_client(client)
    factory = OrderFactory(trader_id=TraderId("TESTER-001"), strategy_id=StrategyId(strategy), clock=clock)
    order = factory.limit(
        InstrumentId.from_str("AAPL.NASDAQ"), OrderSide.BUY, Quantity.from_int(10), Price.from_str("200")
    )
    cache.add_order(order)
    return SimpleNamespace(cache=cache, kernel=SimpleNamespace(exec_engine=engine, clock=clock)), order


def test_an_initialized_order_is_marked_submitted_to_the_account_of_its_client() -> None:
    node, order = node_with_order("S-001")
    stream = io.StringIO()
    assert mark_unconfirmed_submitted(node, stream) == [order.client_order_id.value]
    assert order.status == OrderStatus.SUBMITTED
    assert isinstance(order.last_event, OrderSubmitted) and order.account_id == ACCOUNT
    assert node.cache.orders_inflight() == [order]  # where nautilus' in-flight check looks
    assert "1 recovered order(s) were INITIALIZED" in stream.getvalue()
    assert order.client_order_id.value in stream.getvalue()


def test_without_an_execution_client_an_initialized_order_is_left_alone() -> None:
    node, order = node_with_order("S-001", with_client=False)  # e.g. the spec is data-only now
    stream = io.StringIO()
    assert mark_unconfirmed_submitted(node, stream) == []
    assert order.status == OrderStatus.INITIALIZED
    assert stream.getvalue() == ""


def test_an_external_order_is_left_to_reconciliation() -> None:
    node, order = node_with_order("EXTERNAL")
    assert mark_unconfirmed_submitted(node, io.StringIO()) == []
    assert order.status == OrderStatus.INITIALIZED


def test_orders_past_initialized_are_not_touched() -> None:
    node, order = node_with_order("S-001")
    mark_unconfirmed_submitted(node, io.StringIO())
    events = len(order.events)
    assert mark_unconfirmed_submitted(node, io.StringIO()) == []
    assert len(order.events) == events
