"""The sim never limits a node: drive a TradingNode at its quote-ingest ceiling and compare the
CPU time of both processes (sim = child process, node = this process).
Run: uv run python bench/sim_node_cpu.py [--seconds 15] [--tick-ms 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sim"))

from nautilus_trader.model.identifiers import InstrumentId
from node_harness import node_config, run_scenario, wait_until

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator

LOAD_IDS = [
    "AAPL.NASDAQ",
    "MSFT.NASDAQ",
    "SPY.ARCA",
    "QQQ.NASDAQ",
    "V.NYSE",
    "TSLA.NASDAQ",
    "NVDA.NASDAQ",
    "EUR/USD.IDEALPRO",
    "GBP/USD.IDEALPRO",
    "USD/JPY.IDEALPRO",
    "BTC/USD.PAXOS",
    "ETH/USD.PAXOS",
]


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--tick-ms", type=int, default=10)
    args = parser.parse_args()
    config = free_port_config(SimConfig(tick_interval_ms=args.tick_ms, market_hours="always_open"))
    with start_simulator(config, startup_timeout=30) as sim, SimControl(sim.control_port) as ctl:

        async def scenario(node, strategy):
            ids = [InstrumentId.from_str(i) for i in LOAD_IDS]
            for instrument_id in ids:
                strategy.subscribe_quote_ticks(instrument_id)
            await wait_until(lambda: all(strategy.seen[f"quote:{i}"] for i in ids), 20, "quotes")
            sent0 = sum(s["messages_sent"] for s in ctl.status()["sessions"])
            quotes0 = sum(len(strategy.seen[f"quote:{i}"]) for i in ids)
            sim0, node0, wall0 = process_cpu_seconds(sim.pid), time.process_time(), time.time()
            import asyncio

            await asyncio.sleep(args.seconds)
            wall = time.time() - wall0
            sim_cpu = process_cpu_seconds(sim.pid) - sim0
            node_cpu = time.process_time() - node0
            sent = sum(s["messages_sent"] for s in ctl.status()["sessions"]) - sent0
            quotes = sum(len(strategy.seen[f"quote:{i}"]) for i in ids) - quotes0
            return wall, sim_cpu, node_cpu, sent, quotes

        wall, sim_cpu, node_cpu, sent, quotes = run_scenario(
            node_config(sim.port, frozenset(LOAD_IDS)), scenario, timeout=args.seconds + 60
        )
    print(f"instruments subscribed : {len(LOAD_IDS)} (tick interval {args.tick_ms} ms)")
    print(f"measured wall          : {wall:.1f} s")
    print(f"sim messages sent      : {sent:,} ({sent / wall:,.0f} msgs/s)")
    print(f"node QuoteTicks        : {quotes:,} ({quotes / wall:,.0f} /s)")
    print(f"sim CPU                : {sim_cpu:.2f} s ({100 * sim_cpu / wall:.0f} % of one core)")
    print(f"node CPU               : {node_cpu:.2f} s ({100 * node_cpu / wall:.0f} % of one core)")
    print(f"sim/node CPU ratio     : {sim_cpu / max(node_cpu, 1e-9):.2f}")


if __name__ == "__main__":
    main()
