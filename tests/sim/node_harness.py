"""Run a nautilus TradingNode with IB data+exec clients against the simulator, in-process."""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict

from nautilus_trader.adapters.interactive_brokers.common import IB, IBContract
from nautilus_trader.adapters.interactive_brokers.config import (
    IBMarketDataTypeEnum,
    InteractiveBrokersDataClientConfig,
    InteractiveBrokersExecClientConfig,
    InteractiveBrokersInstrumentProviderConfig,
)
from nautilus_trader.adapters.interactive_brokers.factories import (
    InteractiveBrokersLiveDataClientFactory,
    InteractiveBrokersLiveExecClientFactory,
)
from nautilus_trader.config import (
    LiveExecEngineConfig,
    LoggingConfig,
    StrategyConfig,
    TradingNodeConfig,
)
from nautilus_trader.live.node import TradingNode
from nautilus_trader.trading.strategy import Strategy


class ProbeStrategy(Strategy):
    """Records everything it receives; the test drives it from the node's event loop."""

    def __init__(self, config: StrategyConfig | None = None) -> None:
        super().__init__(config or StrategyConfig(strategy_id="PROBE-001"))
        self.seen: dict[str, list] = defaultdict(list)

    def on_quote_tick(self, tick) -> None:
        self.seen[f"quote:{tick.instrument_id}"].append(tick)

    def on_trade_tick(self, tick) -> None:
        self.seen[f"trade:{tick.instrument_id}"].append(tick)

    def on_bar(self, bar) -> None:
        self.seen[f"bar:{bar.bar_type}"].append(bar)

    def on_order_book_deltas(self, deltas) -> None:
        self.seen[f"depth:{deltas.instrument_id}"].append(deltas)

    def on_order_event(self, event) -> None:
        self.seen[f"order:{type(event).__name__}"].append(event)

    def on_position_event(self, event) -> None:
        self.seen[f"position:{type(event).__name__}"].append(event)


def node_config(
    port: int,
    load_ids: frozenset[str],
    load_contracts: frozenset = frozenset(),
    client_id: int = 1,
    market_data_type=IBMarketDataTypeEnum.REALTIME,
) -> TradingNodeConfig:
    provider = InteractiveBrokersInstrumentProviderConfig(load_ids=load_ids, load_contracts=load_contracts)
    return TradingNodeConfig(
        trader_id="SIMTEST-001",
        logging=LoggingConfig(log_level=os.environ.get("SIM_NODE_LOG", "ERROR")),
        data_clients={
            IB: InteractiveBrokersDataClientConfig(
                ibg_host="127.0.0.1",
                ibg_port=port,
                ibg_client_id=client_id,
                instrument_provider=provider,
                market_data_type=market_data_type,
                use_regular_trading_hours=False,
                connection_timeout=20,
            )
        },
        exec_clients={
            IB: InteractiveBrokersExecClientConfig(
                ibg_host="127.0.0.1",
                ibg_port=port,
                ibg_client_id=client_id,
                account_id="DU123456",
                instrument_provider=provider,
                connection_timeout=20,
            )
        },
        exec_engine=LiveExecEngineConfig(reconciliation=True),
        timeout_connection=30.0,
        timeout_reconciliation=15.0,
        timeout_portfolio=10.0,
        timeout_disconnection=5.0,
        timeout_post_stop=1.0,
    )


def build_node(config: TradingNodeConfig, loop: asyncio.AbstractEventLoop) -> tuple[TradingNode, ProbeStrategy]:
    node = TradingNode(config=config, loop=loop)
    strategy = ProbeStrategy()
    node.trader.add_strategy(strategy)
    node.add_data_client_factory(IB, InteractiveBrokersLiveDataClientFactory)
    node.add_exec_client_factory(IB, InteractiveBrokersLiveExecClientFactory)
    node.build()
    return node, strategy


async def wait_until(predicate, timeout: float, what: str, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        await asyncio.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def run_scenario(config: TradingNodeConfig, scenario, timeout: float = 120.0):
    """Start the node, run `await scenario(node, strategy)`, stop and dispose the node."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    node, strategy = build_node(config, loop)

    async def main():
        runner = loop.create_task(node.run_async())
        try:
            await wait_until(lambda: node.is_running and strategy.is_running, 40, "node RUNNING")
            return await asyncio.wait_for(scenario(node, strategy), timeout)
        finally:
            await node.stop_async()
            await asyncio.sleep(0.2)
            runner.cancel()

    try:
        return loop.run_until_complete(main())
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        node.dispose()
        if not loop.is_closed():
            loop.close()


__all__ = ["IBContract", "ProbeStrategy", "node_config", "run_scenario", "wait_until"]
