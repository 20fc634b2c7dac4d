"""The submission journal: every order is recorded in Redis before it is sent to IB.

nautilus saves an order to its cache database from a background queue, after the order has gone
to IB. A node killed (SIGKILL, OOM, a lost host) in between leaves an order IB has, and may fill,
of which Redis holds nothing. Restarted, the strategy does not find it among its orders, may place
it again, and reconciliation files IB's copy as EXTERNAL. nautilus has no synchronous write to
close that gap, so ibrun keeps its own write-ahead record, beside the cache's keys:

- before an order (or order list) goes to IB, its OrderInitialized event is written to the hash
  `<trader key>:ibrun:journal` and the write is awaited; if Redis cannot take it, the order is
  rejected, never sent unrecorded;
- at the next start, before the node starts, an order in the journal that the cache database did
  not bring back is restored into the cache from that event (SIGTERM, Ctrl-C: nautilus saved
  everything, nothing to restore); `runner.launch.unconfirmed` then marks it SUBMITTED and IB's
  reports settle it. Entries whose orders the cache database holds are removed then, and every
  minute while the node runs (once Redis has the order's key, a restart finds the order there).

What is private to nautilus' IB adapter (1.231) and used here: the execution client's
`_submit_order` and `_submit_order_list` coroutines, as `runner.launch.order_gate` uses them.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import IO, Any

JOURNAL_KEY = "ibrun:journal"
DEFAULT_TIMEOUT = 2.0
"""Seconds a journal write may take when the spec sets no Redis timeouts."""
TRIM_EVERY = 60.0
"""Seconds between removals of the entries nautilus has caught up with (the hash stays small)."""


def journal_key(node: Any, cache_config: Any) -> str:
    """The hash beside nautilus' own keys: `trader-<id>[:<instance>]:ibrun:journal`."""
    key = ("trader-" if cache_config.use_trader_prefix else "") + node.trader_id.value
    if cache_config.use_instance_id:
        key += f":{node.instance_id}"
    return f"{key}:{JOURNAL_KEY}"


class SubmissionJournal:
    def __init__(self, database: Any, key: str, stream: IO[str] | None = None) -> None:
        import msgspec
        import redis.asyncio
        from nautilus_trader.serialization.serializer import MsgSpecSerializer

        timeout = database.response_timeout or DEFAULT_TIMEOUT
        self.redis = redis.asyncio.Redis(
            host=database.host or "127.0.0.1",
            port=database.port or 6379,
            username=database.username,
            password=database.password,
            ssl=bool(database.ssl),
            socket_connect_timeout=database.connection_timeout or DEFAULT_TIMEOUT,
            socket_timeout=timeout,
            protocol=2,
        )
        self.key = key
        self._orders_prefix = key.removesuffix(JOURNAL_KEY) + "orders:"  # nautilus' order keys
        self._trimming: asyncio.Task[None] | None = None
        self._serializer = MsgSpecSerializer(encoding=msgspec.msgpack, timestamps_as_str=True)
        self._stream = stream or sys.stderr

    async def record(self, orders: list[Any]) -> None:
        """Write the orders' OrderInitialized events; returns once Redis has them."""
        fields = {order.client_order_id.value: self._serializer.serialize(order.init_event) for order in orders}
        await self.redis.hset(self.key, mapping=fields)

    async def restore_into(self, cache: Any) -> list[str]:
        """Put the journal's orders the cache lacks into it (INITIALIZED); drop the others' entries."""
        from nautilus_trader.model.identifiers import ClientOrderId
        from nautilus_trader.model.orders.unpacker import OrderUnpacker

        entries: dict[Any, Any] = await self.redis.hgetall(self.key)  # bytes: no decode_responses
        saved = [name for name in entries if cache.order_exists(ClientOrderId(name.decode()))]
        lost = sorted(entries.keys() - set(saved))
        for name in lost:
            cache.add_order(OrderUnpacker.from_init(self._serializer.deserialize(entries[name])))
        restored = [name.decode() for name in lost]
        if saved:
            await self.redis.hdel(self.key, *saved)
        if restored:
            self._say(
                f"{len(restored)} order(s) had gone to IB (or were about to) when the node stopped, before the "
                f"cache database saved them: restored from ibrun's submission journal: {', '.join(restored)}"
            )
        return restored

    async def trim(self) -> int:
        """Remove the entries of orders nautilus has saved (their key exists); how many."""
        names: list[Any] = await self.redis.hkeys(self.key)  # bytes: no decode_responses
        if not names:
            return 0
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.exists(self._orders_prefix + name.decode())
            found = await pipe.execute()
        saved = [name for name, exists in zip(names, found, strict=True) if exists]
        if saved:
            await self.redis.hdel(self.key, *saved)
        return len(saved)

    def keep_trimmed(self, every: float = TRIM_EVERY) -> None:
        """Trim every ``every`` seconds until :meth:`close` (a failed trim waits for the next)."""
        import redis

        async def trimming() -> None:
            while True:
                await asyncio.sleep(every)
                with contextlib.suppress(redis.RedisError, OSError):
                    await self.trim()

        self._trimming = asyncio.get_running_loop().create_task(trimming(), name="ibrun-journal-trim")

    def attach(self, exec_client: Any) -> None:
        """Record every order before the execution client sends it."""
        exec_client._submit_order = self._recording(exec_client, exec_client._submit_order, _orders_of_submit)
        exec_client._submit_order_list = self._recording(exec_client, exec_client._submit_order_list, _orders_of_list)

    def _recording(
        self, exec_client: Any, send: Callable[[Any], Awaitable[None]], orders_of: Callable[[Any], list[Any]]
    ) -> Callable[[Any], Awaitable[None]]:
        import redis

        async def recorded(command: Any) -> None:
            orders = orders_of(command)
            try:
                await self.record(orders)
            except (redis.RedisError, OSError) as error:
                reason = f"not sent: ibrun could not record it in the cache database first ({type(error).__name__})"
                self._say(f"{reason}: {', '.join(order.client_order_id.value for order in orders)}")
                for order in orders:
                    _reject(exec_client, order, reason)
                return
            await send(command)

        return recorded

    async def close(self) -> None:
        if self._trimming is not None:
            self._trimming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._trimming
        await self.redis.aclose()

    def _say(self, text: str) -> None:
        print(f"ibrun: {text}", file=self._stream, flush=True)


def _orders_of_submit(command: Any) -> list[Any]:
    return [command.order]


def _orders_of_list(command: Any) -> list[Any]:
    return list(command.order_list.orders)


def _reject(exec_client: Any, order: Any, reason: str) -> None:
    exec_client.generate_order_rejected(
        order.strategy_id,
        order.instrument_id,
        order.client_order_id,
        reason,
        exec_client._clock.timestamp_ns(),
    )


async def start_journal(node: Any, config: Any) -> SubmissionJournal | None:
    """Restore what the last run's journal holds and record every order from now on; None for a
    node without a cache database or an execution client (nothing to make durable)."""
    from runner.errors import DatabaseUnavailable

    clients = [c for c in node.kernel.exec_engine._clients.values() if hasattr(c, "_submit_order_list")]
    cache_config = config.cache
    if not clients or cache_config is None or cache_config.database is None:
        return None
    journal = SubmissionJournal(cache_config.database, journal_key(node, cache_config))
    try:
        await journal.restore_into(node.cache)
    except Exception as error:  # redis' errors, or an entry this nautilus cannot read
        await journal.close()
        where = f"node.cache.database: the submission journal ({journal.key})"
        raise DatabaseUnavailable(
            f"{where} could not be read: {type(error).__name__}: {error}. It holds orders sent before the "
            f"node last stopped; once each is settled at IB, `DEL {journal.key}` lets the node start"
        ) from None
    for client in clients:
        journal.attach(client)
    journal.keep_trimmed()
    return journal
