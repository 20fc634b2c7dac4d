"""Instrument loads against the simulator with a realistic reply delay (200 ms per request):
an SPX-sized option chain loaded by nautilus' own provider (sequential requests), by ibrun cold
(concurrent requests; cache cleared first) and by ibrun warm (from the instrument cache), in one
interleaved run; then spawn → RUNNING of a spec with 1,000 load_ids, warm (and once cold).

    uv run python bench/instruments_bench.py [--rounds 5] [--delay-ms 200] [--ids 1000]

"Instrument load" is the time between the provider's "Initializing instruments..." and
"Initialized N instruments" log lines of one node process (nautilus and ibrun log both), so the
three variants are measured at the same boundaries; "spawn → RUNNING" is from process spawn to
the trader's RUNNING line. Each sample is its own process; variants alternate within a round.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRADER = "BENCH-001"
SPX_CHAIN = {"secType": "IND", "symbol": "SPX", "exchange": "CBOE", "build_options_chain": True}
CHAIN_DAYS = 150
# Bytecode caching as on a user's machine (see run_overhead.py).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

_STAMP = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\d*Z"
INITIALIZING = re.compile(_STAMP + r".*?InstrumentProvider: Initializing instruments")
INITIALIZED = re.compile(_STAMP + r".*?InstrumentProvider: Initialized (\d+) instruments")
RUNNING = re.compile(_STAMP + rf".*?{TRADER}\.{TRADER}: RUNNING")


def _unix(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC).timestamp()


def timed(cmd: list[str], cwd: Path = REPO) -> tuple[float, float, int]:
    """(instrument load s, spawn → RUNNING s, instruments) of one node process."""
    spawned = time.time()
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    log = result.stdout + result.stderr
    start, done, running = INITIALIZING.search(log), INITIALIZED.search(log), RUNNING.search(log)
    if result.returncode != 0 or not (start and done and running):
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{log[-3000:]}")
    return _unix(done.group(1)) - _unix(start.group(1)), _unix(running.group(1)) - spawned, int(done.group(2))


def spec_text(port: int, instruments: str) -> str:
    return (
        f"version: 1\ntrader_id: {TRADER}\ngateway: {{host: 127.0.0.1, port: {port}}}\n"
        f"instruments:\n  cache_validity_days: 1\n{instruments}"
        "node: {timeouts: {connection: 120, disconnection: 3.0, post_stop: 0.5}}\n"
    )


def chain_instruments() -> str:
    fields = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in SPX_CHAIN.items())
    return f"  contracts:\n    - {{{fields}, min_expiry_days: 0, max_expiry_days: {CHAIN_DAYS}}}\n"


def stock_symbols(count: int) -> list[str]:
    letters = "ABCDEFGHIJKLMNOPRSTUVWXYZ"
    return [f"Q{letters[i // 625 % 25]}{letters[i // 25 % 25]}{letters[i % 25]}" for i in range(count)]


def universe_file(directory: Path, symbols: list[str]) -> Path:
    lines = ["instruments:"]
    for index, symbol in enumerate(symbols):
        lines.append(
            f"  - {{secType: STK, symbol: {symbol}, primaryExchange: NYSE, conId: {900_000_000 + index},"
            f" isin: US{index:09d}0, longName: {symbol} CORP, price: 50}}"
        )
    path = directory / "stocks.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def nautilus_node(port: int) -> int:
    """The baseline: a plain nautilus TradingNode loading the chain with nautilus' own provider."""
    from nautilus_trader.adapters.interactive_brokers.common import IB, IB_VENUE, IBContract
    from nautilus_trader.adapters.interactive_brokers.config import (
        InteractiveBrokersDataClientConfig,
        InteractiveBrokersInstrumentProviderConfig,
    )
    from nautilus_trader.adapters.interactive_brokers.factories import InteractiveBrokersLiveDataClientFactory
    from nautilus_trader.config import LoggingConfig, TradingNodeConfig
    from nautilus_trader.live.node import TradingNode

    chain = IBContract(**SPX_CHAIN, min_expiry_days=0, max_expiry_days=CHAIN_DAYS)  # type: ignore[arg-type]
    provider = InteractiveBrokersInstrumentProviderConfig(load_contracts=frozenset({chain}))
    config = TradingNodeConfig(
        trader_id=TRADER,
        logging=LoggingConfig(log_level="INFO"),
        data_clients={IB: InteractiveBrokersDataClientConfig(ibg_port=port, instrument_provider=provider)},
        timeout_connection=120.0,
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
        await node.stop_async()
        return 0 if len(node.cache.instruments()) > 1000 else 1

    try:
        return loop.run_until_complete(run())
    finally:
        node.dispose()


def summary(name: str, samples: list[float]) -> str:
    return f"{name:24} median {statistics.median(samples):6.3f} s   runs: " + " ".join(f"{v:.2f}" for v in samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--nautilus-node", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.nautilus_node:
        sys.exit(nautilus_node(args.nautilus_node))

    from runner.sim.config import SimConfig
    from runner.sim.control import SimControl
    from runner.sim.launcher import free_port_config, start_simulator

    ibrun = str(Path(sys.executable).parent / "ibrun")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ENV["XDG_CACHE_HOME"] = str(work / "xdg")
        symbols = stock_symbols(args.ids)
        config = SimConfig(universe_files=(str(universe_file(work, symbols)),))
        with start_simulator(free_port_config(config), startup_timeout=60) as sim, SimControl(sim.control_port) as ctl:
            ctl.call("delay", ms=args.delay_ms)
            chain_spec = work / "chain.yaml"
            chain_spec.write_text(spec_text(sim.port, chain_instruments()))
            ids_spec = work / "ids.yaml"
            ids_spec.write_text(spec_text(sim.port, f"  load_ids: [{', '.join(f'{s}.NYSE' for s in symbols)}]\n"))
            run = [ibrun, "run", "--duration", "0", "--no-status"]
            clear = [ibrun, "instruments", "clear"]

            def ibrun_cold() -> tuple[float, float, int]:
                subprocess.run([*clear, str(chain_spec)], env=ENV, check=True, capture_output=True)
                return timed([*run, str(chain_spec)])

            variants = {
                "nautilus (sequential)": lambda: timed([sys.executable, __file__, "--nautilus-node", str(sim.port)]),
                "ibrun cold": ibrun_cold,
                "ibrun warm": lambda: timed([*run, str(chain_spec)]),
            }
            loads: dict[str, list[float]] = {name: [] for name in variants}
            starts: dict[str, list[float]] = {name: [] for name in variants}
            counts: set[int] = set()
            for _ in range(args.rounds):
                for name, variant in variants.items():
                    load, running, count = variant()
                    loads[name].append(load)
                    starts[name].append(running)
                    counts.add(count)
            ids_cold = timed([*run, str(ids_spec)])
            ids_warm = [timed([*run, str(ids_spec)]) for _ in range(args.rounds)]

    print(
        f"SPX chain (0-{CHAIN_DAYS} days, {sorted(counts)} instruments), sim reply delay {args.delay_ms} ms,"
        f" {args.rounds} interleaved rounds"
    )
    print("instrument load:")
    for name, samples in loads.items():
        print("  " + summary(name, samples))
    median = {name: statistics.median(samples) for name, samples in loads.items()}
    print(f"  warm vs cold: {median['ibrun cold'] / median['ibrun warm']:.1f}x faster")
    print(
        f"  cold vs nautilus' sequential requests: {median['nautilus (sequential)'] / median['ibrun cold']:.2f}x faster"
    )
    pairs = [c / w for c, w in zip(loads["ibrun cold"], loads["ibrun warm"], strict=True)]
    pairs_n = [n / c for n, c in zip(loads["nautilus (sequential)"], loads["ibrun cold"], strict=True)]
    print(
        f"  per-round ratios warm/cold: {' '.join(f'{p:.1f}' for p in pairs)};"
        f" cold/nautilus: {' '.join(f'{p:.2f}' for p in pairs_n)}"
    )
    print("spawn → RUNNING:")
    for name, samples in starts.items():
        print("  " + summary(name, samples))
    print(f"{args.ids} load_ids: spawn → RUNNING, instrument load")
    print("  " + summary("warm, spawn → RUNNING", [r for _, r, _ in ids_warm]))
    print("  " + summary("warm, instrument load", [lo for lo, _, _ in ids_warm]))
    print(
        f"  cold (once): spawn → RUNNING {ids_cold[1]:.2f} s, instrument load {ids_cold[0]:.2f} s"
        f" ({ids_cold[2]} instruments, paced at ≤ 40 requests/s)"
    )


if __name__ == "__main__":
    main()
