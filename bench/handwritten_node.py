"""The hand-written baseline of bench/run_overhead.py: the guide's TradingNode script, run to
RUNNING with its instruments loaded, then stopped and disposed. Usage: PORT LOAD_ID..."""

from __future__ import annotations

import asyncio
import sys

from nautilus_trader.adapters.interactive_brokers.common import IB, IB_VENUE
from nautilus_trader.adapters.interactive_brokers.config import (
    InteractiveBrokersDataClientConfig,
    InteractiveBrokersInstrumentProviderConfig,
    SymbologyMethod,
)
from nautilus_trader.adapters.interactive_brokers.factories import (
    InteractiveBrokersLiveDataClientFactory,
)
from nautilus_trader.config import LoggingConfig, TradingNodeConfig
from nautilus_trader.live.node import TradingNode
from nautilus_trader.model.identifiers import InstrumentId


def main() -> int:
    port, load_ids = int(sys.argv[1]), sys.argv[2:]
    provider = InteractiveBrokersInstrumentProviderConfig(
        symbology_method=SymbologyMethod.IB_SIMPLIFIED,
        load_ids=frozenset(InstrumentId.from_str(i) for i in load_ids),
    )
    config = TradingNodeConfig(
        trader_id="BENCH-001",
        logging=LoggingConfig(log_level="INFO"),
        data_clients={
            IB: InteractiveBrokersDataClientConfig(
                ibg_host="127.0.0.1",
                ibg_port=port,
                ibg_client_id=1,
                instrument_provider=provider,
            )
        },
        timeout_disconnection=3.0,
        timeout_post_stop=0.5,
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    node = TradingNode(config=config, loop=loop)
    node.add_data_client_factory(IB, InteractiveBrokersLiveDataClientFactory)

    async def run() -> int:
        node.build()
        node.cache.set_specific_venue(IB_VENUE)
        await node.kernel.start_async()
        loaded = len(node.cache.instruments())
        await node.stop_async()
        return 0 if node.trader.is_running or loaded == len(load_ids) else 1

    try:
        return loop.run_until_complete(run())
    finally:
        node.dispose()


if __name__ == "__main__":
    sys.exit(main())
