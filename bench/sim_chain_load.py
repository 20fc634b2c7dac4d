"""Load an option chain of ≥ 2,000 contracts from `ibrun sim` into a TradingNode and time it.
Run: uv run python bench/sim_chain_load.py [--max-expiry-days 150]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sim"))

from node_harness import IBContract, node_config, run_scenario

from runner.sim.config import SimConfig
from runner.sim.launcher import free_port_config, start_simulator


def load(port: int, contracts: frozenset, client_id: int) -> tuple[float, int]:
    config = node_config(port, frozenset(), load_contracts=contracts, client_id=client_id)
    started = time.perf_counter()

    async def scenario(node, strategy):
        running = time.perf_counter() - started
        ids = [str(i.id) for i in node.cache.instruments()]
        return running, sum(1 for i in ids if "SPX" in i and not i.startswith("^"))

    return run_scenario(config, scenario)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-expiry-days", type=int, default=150)
    parser.add_argument("--batch", type=int, default=SimConfig.reply_batch_size)
    parser.add_argument("--pause-ms", type=float, default=SimConfig.reply_batch_pause_ms)
    args = parser.parse_args()
    chain = IBContract(
        secType="IND",
        symbol="SPX",
        exchange="CBOE",
        build_options_chain=True,
        min_expiry_days=0,
        max_expiry_days=args.max_expiry_days,
    )
    sim_config = SimConfig(reply_batch_size=args.batch, reply_batch_pause_ms=args.pause_ms)
    with start_simulator(free_port_config(sim_config), startup_timeout=30) as sim:
        baseline, _ = load(sim.port, frozenset(), 1)
        seconds, count = load(sim.port, frozenset({chain}), 2)
    print(f"SPX options loaded      : {count:,} (expiries within 0-{args.max_expiry_days} days)")
    print(f"node start -> RUNNING   : {seconds:.2f} s (includes connect + reconciliation)")
    print(f"same node, no chain     : {baseline:.2f} s")
    print(f"chain load time         : {seconds - baseline:.2f} s ({count / (seconds - baseline):,.0f} contracts/s)")
    print(f"sim reply pacing        : batches of {args.batch}, {args.pause_ms:g} ms apart")


if __name__ == "__main__":
    main()
