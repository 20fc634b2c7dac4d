"""The submission journal on a real `redis-server` and nautilus' own cache, engine and client base.
The restart it exists for (a kill before nautilus saved the orders) is tested end to end against
`ibrun sim` in test_redis_restart.py."""

from __future__ import annotations

import asyncio
import io
from types import SimpleNamespace
from typing import Any

import pytest
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.factories import OrderFactory
from nautilus_trader.execution.client import ExecutionClient
from nautilus_trader.execution.engine import ExecutionEngine
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide, OrderStatus
from nautilus_trader.model.identifiers import AccountId, ClientId, InstrumentId, StrategyId, TraderId, Venue
from nautilus_trader.model.objects import Price, Quantity
from nautilus_trader.test_kit.stubs.component import TestComponentStubs

from runner.launch.journal import SubmissionJournal
from tests.launch.helpers import free_port
from tests.launch.state_services import REDIS_PASSWORD, RedisServer, redis_server

__all__ = ["redis_server"]  # fixture
KEY = "trader-TESTER-001:ibrun:journal"


def database(port: int, password: str | None = None) -> Any:
    return SimpleNamespace(
        host="127.0.0.1", port=port, username=None, password=password, ssl=False,
        connection_timeout=2.0, response_timeout=2.0,
    )  # fmt: skip


def orders(count: int) -> list[Any]:
    factory = OrderFactory(TraderId("TESTER-001"), StrategyId("S-001"), TestComponentStubs.clock())
    aapl = InstrumentId.from_str("AAPL.NASDAQ")
    return [factory.limit(aapl, OrderSide.BUY, Quantity.from_int(10), Price.from_str("200")) for _ in range(count)]


def test_restore_puts_back_what_the_cache_lacks_and_forgets_what_it_has(redis_server: RedisServer) -> None:
    first, second = orders(2)
    stream = io.StringIO()

    async def scenario() -> tuple[list[str], list[str], dict[str, str]]:
        journal = SubmissionJournal(database(redis_server.port, redis_server.password), KEY, stream)
        try:
            await journal.record([first])
            await journal.record([second])
            empty = Cache()
            restored = await journal.restore_into(empty)  # as after a kill: nautilus saved neither
            assert empty.order(second.client_order_id).init_event == second.init_event
            assert empty.order(first.client_order_id).status == OrderStatus.INITIALIZED
            again = await journal.restore_into(empty)  # both in the cache now: their entries go
            return restored, again, redis_server.client().hgetall(KEY)
        finally:
            await journal.close()

    restored, again, left = asyncio.run(scenario())
    assert restored == sorted([first.client_order_id.value, second.client_order_id.value])
    assert again == [] and left == {}
    assert "2 order(s) had gone to IB (or were about to)" in stream.getvalue()


class SendingClient(ExecutionClient):
    """nautilus' client base with the two coroutines the IB client has; what it would send."""

    sent: list[Any]

    async def _submit_order(self, command: Any) -> None:
        self.sent.append(command)

    async def _submit_order_list(self, command: Any) -> None:
        await self._submit_order(command)


def test_an_order_that_cannot_be_recorded_is_rejected_not_sent() -> None:
    clock, msgbus, cache = TestComponentStubs.clock(), TestComponentStubs.msgbus(), TestComponentStubs.cache()
    ExecutionEngine(msgbus=msgbus, cache=cache, clock=clock)  # takes the client's events
    client = SendingClient(
        ClientId("IB"), Venue("NASDAQ"), OmsType.NETTING, AccountType.MARGIN, None, msgbus, cache, clock
    )
    client._set_account_id(AccountId("IB-DU123456"))
    client.sent = []
    (order,) = orders(1)
    cache.add_order(order)
    stream = io.StringIO()

    async def scenario() -> None:
        journal = SubmissionJournal(database(free_port()), KEY, stream)  # nothing listens there
        journal.attach(client)
        try:
            await client._submit_order(SimpleNamespace(order=order))
        finally:
            await journal.close()

    asyncio.run(scenario())
    assert client.sent == []
    assert order.status == OrderStatus.REJECTED
    assert "could not record it in the cache database first" in order.last_event.reason
    assert order.client_order_id.value in stream.getvalue()


@pytest.mark.parametrize("count", [1, 3])
def test_an_order_list_is_recorded_whole_before_it_is_sent(redis_server: RedisServer, count: int) -> None:
    batch = orders(count)
    seen: list[int] = []

    async def send(command: Any) -> None:
        seen.append(redis_server.client().hlen(KEY))  # what Redis held when the list went out

    client = SimpleNamespace(_submit_order=send, _submit_order_list=send)

    async def scenario() -> None:
        journal = SubmissionJournal(database(redis_server.port, redis_server.password), KEY)
        journal.attach(client)
        try:
            await client._submit_order_list(SimpleNamespace(order_list=SimpleNamespace(orders=batch)))
        finally:
            await journal.close()

    asyncio.run(scenario())
    assert seen == [count]


def test_trim_forgets_the_orders_nautilus_has_saved(redis_server: RedisServer) -> None:
    saved, unsaved = orders(2)

    async def scenario() -> tuple[int, list[str]]:
        journal = SubmissionJournal(database(redis_server.port, redis_server.password), KEY)
        try:
            await journal.record([saved, unsaved])
            redis_server.client().rpush(f"trader-TESTER-001:orders:{saved.client_order_id.value}", "event")
            removed = await journal.trim()
            return removed, sorted(redis_server.client().hkeys(KEY))
        finally:
            await journal.close()

    assert asyncio.run(scenario()) == (1, [unsaved.client_order_id.value])


def test_an_unreadable_journal_stops_the_start_with_the_key_to_clear(redis_server: RedisServer) -> None:
    from runner.errors import DatabaseUnavailable
    from runner.launch.journal import start_journal

    clock, msgbus, cache = TestComponentStubs.clock(), TestComponentStubs.msgbus(), TestComponentStubs.cache()
    engine = ExecutionEngine(msgbus=msgbus, cache=cache, clock=clock)
    client = SendingClient(
        ClientId("IB"), Venue("NASDAQ"), OmsType.NETTING, AccountType.MARGIN, None, msgbus, cache, clock
    )
    engine.register_client(client)
    node = SimpleNamespace(
        cache=cache, kernel=SimpleNamespace(exec_engine=engine), trader_id=TraderId("TESTER-001"), instance_id=None
    )
    cache_config = SimpleNamespace(
        database=database(redis_server.port, redis_server.password), use_trader_prefix=True, use_instance_id=False
    )
    redis_server.client().hset(KEY, "O-1", "not an event")

    with pytest.raises(DatabaseUnavailable) as raised:
        asyncio.run(start_journal(node, SimpleNamespace(cache=cache_config)))
    assert f"`DEL {KEY}` lets the node start" in str(raised.value)
    assert REDIS_PASSWORD not in str(raised.value)
    assert redis_server.client().hlen(KEY) == 1  # nothing dropped on the way
