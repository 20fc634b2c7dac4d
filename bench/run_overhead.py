"""Overhead of `ibrun run` over a hand-written nautilus script, both to RUNNING with instruments
loaded (then a clean stop), against the same simulator.

    uv run python bench/run_overhead.py [--runs 21] [--variant NAME=COMMAND ...]

`--variant` adds another way of running ibrun to the same interleaved run, e.g. another tree's
console script: `--variant old=/work/wt/startup-old/.venv/bin/ibrun` (COMMAND is split like a
shell would; `run SPEC --duration 0 --no-status` is appended). Each is compared to the script.

Each sample is the wall time of one process: spawn to the trader's RUNNING log line (every
component started, instruments loaded) and spawn to exit (imports included). The kinds
alternate (round-robin, each round starting one further along) so that machine load affects all
alike; the figure is median(ibrun)/median(script).
On a 2-core VM single runs vary by ±0.3 s, so use ≥ 21 runs; the median of the per-pair ratios
is printed too (each pair ran back to back, under the same load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runner.sim.launcher import free_port_config, start_simulator

REPO = Path(__file__).resolve().parents[1]
LOAD_IDS = ["SPY.ARCA", "EUR/USD.IDEALPRO", "AAPL.NASDAQ"]


def spec_text(port: int) -> str:
    ids = ", ".join(LOAD_IDS)
    return (
        "version: 1\ntrader_id: BENCH-001\n"
        f"gateway: {{host: 127.0.0.1, port: {port}}}\n"
        f"instruments: {{load_ids: [{ids}]}}\n"
        "node: {timeouts: {disconnection: 3.0, post_stop: 0.5}}\n"
    )


# Bytecode caching as on a user's machine (some sandboxes export PYTHONDONTWRITEBYTECODE=1, which
# makes every process compile pydantic & co. from source and swamps the comparison).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# The trader's own "RUNNING" line: every component started, instruments loaded.
RUNNING_LINE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\d*Z.*?BENCH-001\.BENCH-001: RUNNING")


def timed(cmd: list[str]) -> tuple[float, float]:
    """(spawn → exit, spawn → trader RUNNING) in seconds."""
    spawned_at = time.time()
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{cmd} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    match = RUNNING_LINE.search(result.stdout + result.stderr)
    if match is None:
        sys.exit(f"{cmd}: no trader RUNNING line in its log")
    running_at = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=dt.UTC).timestamp()
    return elapsed, running_at - spawned_at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=COMMAND")
    args = parser.parse_args()
    variants = {"ibrun": [str(Path(sys.executable).parent / "ibrun")]}
    for variant in args.variant:
        name, _, command = variant.partition("=")
        variants[name] = shlex.split(command)
    with start_simulator(free_port_config()) as sim, tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(spec_text(sim.port))
        commands = {name: [*cmd, "run", str(spec), "--duration", "0", "--no-status"] for name, cmd in variants.items()}
        commands["script"] = [sys.executable, str(REPO / "bench" / "handwritten_node.py"), str(sim.port), *LOAD_IDS]
        for cmd in commands.values():  # warm the page and bytecode caches, not measured
            timed(cmd)
            timed(cmd)
        totals: dict[str, list[float]] = {name: [] for name in commands}
        to_running: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for index in range(args.runs):  # round-robin, each round starting one further along
            for name in names[index % len(names) :] + names[: index % len(names)]:
                total, running = timed(commands[name])
                totals[name].append(total)
                to_running[name].append(running)
    for label, samples in (("spawn → trader RUNNING", to_running), ("spawn → exit", totals)):
        report(label, samples)


def report(label: str, samples: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{label}:")
    for name, values in samples.items():
        print(f"  {name:9} median {medians[name]:.3f}s  runs: " + " ".join(f"{v:.2f}" for v in values))
    for name in samples:
        if name == "script":
            continue
        pairs = [i / s for i, s in zip(samples[name], samples["script"], strict=True)]
        quartile = _lower_quartile(samples[name]) / _lower_quartile(samples["script"])
        print(
            f"  {name:9} / script: ratio of medians {medians[name] / medians['script']:.3f}, "
            f"median of per-pair ratios {statistics.median(pairs):.3f}, ratio of lower quartiles {quartile:.3f}"
        )


def _lower_quartile(values: list[float]) -> float:
    # The runs that found the machine idle: on a shared 2-core VM the median mixes in other jobs.
    return statistics.quantiles(values, n=4)[0]


if __name__ == "__main__":
    main()
