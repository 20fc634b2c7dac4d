"""What the submission journal adds to each order's way to IB: one awaited Redis write.

Against Debian's `redis-server` on a free loopback port (password set, as in production), in
interleaved rounds on one asyncio client: `SubmissionJournal.record([order])` (the write an order
waits for before it is sent) and a bare `PING` (one round trip, the floor). Prints both medians,
p99s and their ratio, and the record's cost in CPU time per order.

    uv run python bench/journal_bench.py [--rounds 7] [--orders 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runner.launch.journal import SubmissionJournal
from tests.launch.state_services import REDIS_PASSWORD, RedisServer

KEY = "trader-BENCH-001:ibrun:journal"


def make_orders(count: int) -> list[Any]:
    from nautilus_trader.common.factories import OrderFactory
    from nautilus_trader.model.enums import OrderSide
    from nautilus_trader.model.identifiers import InstrumentId, StrategyId, TraderId
    from nautilus_trader.model.objects import Price, Quantity
    from nautilus_trader.test_kit.stubs.component import TestComponentStubs

    factory = OrderFactory(TraderId("BENCH-001"), StrategyId("S-001"), TestComponentStubs.clock())
    aapl = InstrumentId.from_str("AAPL.NASDAQ")
    return [factory.limit(aapl, OrderSide.BUY, Quantity.from_int(10), Price.from_str("200")) for _ in range(count)]


async def timed(calls: list[Any]) -> tuple[list[float], float]:
    """Microseconds per awaited call; CPU seconds for all of them."""
    samples = []
    cpu = time.process_time()
    for call in calls:
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples, time.process_time() - cpu


async def measure(port: int, rounds: int, count: int) -> None:
    database = SimpleNamespace(
        host="127.0.0.1", port=port, username=None, password=REDIS_PASSWORD, ssl=False,
        connection_timeout=2.0, response_timeout=2.0,
    )  # fmt: skip
    journal = SubmissionJournal(database, KEY)
    record_us: list[float] = []
    ping_us: list[float] = []
    record_cpu = 0.0
    try:
        await journal.redis.ping()
        for _ in range(rounds):
            orders = make_orders(count)
            samples, cpu = await timed([lambda order=order: journal.record([order]) for order in orders])
            record_us += samples
            record_cpu += cpu
            ping_us += (await timed([journal.redis.ping] * count))[0]
            await journal.redis.delete(KEY)
    finally:
        await journal.close()
    report(record_us, ping_us, record_cpu / (rounds * count) * 1e6)


def report(record_us: list[float], ping_us: list[float], cpu_us: float) -> None:
    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100)[98]

    record, ping = statistics.median(record_us), statistics.median(ping_us)
    print(f"record one order: median {record:.0f} us, p99 {p99(record_us):.0f} us; CPU {cpu_us:.0f} us/order")
    print(f"PING (one round trip): median {ping:.0f} us, p99 {p99(ping_us):.0f} us")
    print(f"ratio record/PING: {record / ping:.2f}x ({len(record_us)} orders)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--orders", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        server = RedisServer(Path(directory), password=REDIS_PASSWORD)
        try:
            asyncio.run(measure(server.port, args.rounds, args.orders))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
