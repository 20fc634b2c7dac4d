"""Benchmark fleets, in one interleaved run (every round times each command once, so load on a
noisy 2-core machine hits them alike):

- a fleet of 50 members across 5 accounts (gateways), each command as users run it (process start
  to exit through the console script): `ibrun validate FLEET` (the fleet and its 50 member specs),
  `ibrun export compose FLEET`, `ibrun export k8s FLEET`, `ibrun diff FLEET FLEET2` (target: each
  under 1 s), beside `ibrun validate` of the same 50 specs alone (the ratio is what the fleet
  adds: its wiring, its checks);
- with `--engine` (needs podman and docker-compose: `sudo bash .ci/engine-setup.sh`): the time
  for a two-member fleet on one simulated gateway to be ready (compose up → both nodes' /readyz
  200; kube play → both ready), from the engine tests, `--engine-rounds` times each.

    uv run python bench/fleet_bench.py [--rounds 7] [--members 50] [--accounts 5] [--engine]

Results are printed and written to bench/RESULTS-fleet.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode as users have it
MEMBER = """\
version: 1
trader_id: BENCH-{index:03d}
gateway: {{trading_mode: {mode}}}
instruments:
  load_ids: [EUR/USD.IDEALPRO, SPY.ARCA]
data:
  client_id: {data}
  subscriptions:
    - {{instrument: EUR/USD.IDEALPRO, quotes: true, bars: [1-MINUTE-MID]}}
    - {{instrument: SPY.ARCA, quotes: true, trades: true}}
exec:
  client_id: {exec}
  account_id: ${{BENCH_ACCOUNT_{account}-}}
node:
  strategies:
    - path: examples.strategies.demo:DemoStrategy
      config: {{instrument_id: SPY.ARCA, stop_after: 0}}
"""


def make_fleet(directory: Path, members: int, accounts: int, name: str = "bench") -> Path:
    (directory / "specs").mkdir(parents=True, exist_ok=True)
    lines = ["kind: fleet", "version: 1", f"name: {name}", "gateways:"]
    for account in range(accounts):
        mode = "live" if account == accounts - 1 else "paper"
        lines += [
            f"  acct{account}:",
            f"    trading_mode: {mode}",
            f"    username: {{env: BENCH_USER_{account}}}",
            f"    password: {{file: ./secrets/acct{account}}}",
            "    read_only_api: false",
        ]
    lines.append("members:")
    for index in range(members):
        account = index % accounts
        mode = "live" if account == accounts - 1 else "paper"
        text = MEMBER.format(index=index, mode=mode, data=10 + 2 * index, exec=11 + 2 * index, account=account)
        (directory / "specs" / f"m{index:03d}.yaml").write_text(text)
        confirm = ", confirm_live: true" if mode == "live" else ""
        lines.append(f"  - {{name: m{index:03d}, spec: specs/m{index:03d}.yaml, gateway: acct{account}{confirm}}}")
    fleet = directory / "fleet.yaml"
    fleet.write_text("\n".join(lines) + "\n")
    return fleet


def timed(command: list[str], expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(f"{command[1:3]} exited {done.returncode}: {done.stdout[-400:]}{done.stderr[-400:]}")
    return elapsed


def measure(rounds: int, members: int, accounts: int) -> dict[str, list[float]]:
    ibrun = str(BIN / "ibrun")
    with tempfile.TemporaryDirectory(prefix="ibrun-fleet-bench-") as tmp:
        fleet = make_fleet(Path(tmp) / "a", members, accounts)
        other = make_fleet(Path(tmp) / "b", members, accounts)
        (other.parent / "specs" / "m007.yaml").write_text(
            (other.parent / "specs" / "m007.yaml").read_text().replace("client_id: 24", "client_id: 124")
        )
        commands = {
            "validate fleet (50 members)": ([ibrun, "validate", str(fleet)], 0),
            "validate the 50 specs alone": ([ibrun, "validate", str(fleet.parent / "specs")], 0),
            "export compose": ([ibrun, "export", "compose", str(fleet)], 0),
            "export k8s": ([ibrun, "export", "k8s", str(fleet)], 0),
            "diff (one member changed)": ([ibrun, "diff", str(fleet), str(other)], 1),
        }
        series: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, (command, expect) in commands.items():
                series[name].append(timed(command, expect))
    return series


def engine_ready(rounds: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"compose: up → both nodes ready": [], "kube play → both nodes ready": []}
    tests = {
        "compose: up → both nodes ready": "tests/fleet/test_compose_engine.py",
        "kube play → both nodes ready": "tests/fleet/test_kube_engine.py",
    }
    for _ in range(rounds):
        for name, test in tests.items():
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=ENV,
            )
            found = re.search(r"fleet ready in ([0-9.]+)s", done.stdout)
            if done.returncode != 0 or found is None:
                raise SystemExit(f"{test} did not pass: {done.stdout[-800:]}")
            figures[name].append(float(found.group(1)))
    return figures


def report(series: dict[str, list[float]], engine: dict[str, list[float]], members: int, accounts: int) -> str:
    rounds = len(next(iter(series.values())))
    alone = series["validate the 50 specs alone"]
    lines = [
        "# Fleets: export, validate, diff at 50 members; a two-member fleet ready on podman",
        "",
        f"Measured {dt.date.today()} on this project's 2-core machine (shared), {rounds} interleaved rounds,",
        f"{members} members across {accounts} accounts (gateways), each command a process as users run it.",
        "Rerun: `uv run python bench/fleet_bench.py --engine` (engine figures need podman and docker-compose:",
        "`sudo bash .ci/engine-setup.sh`).",
        "",
        "| command | median | min | max | vs validating the specs alone |",
        "|---|---|---|---|---|",
    ]
    for name, values in series.items():
        ratios = [value / base for value, base in zip(values, alone, strict=True)]
        lines.append(
            f"| `{name}` | {statistics.median(values):.3f} s | {min(values):.3f} s | {max(values):.3f} s"
            f" | {statistics.median(ratios):.2f}x |"
        )
    if engine:
        lines += [
            "",
            "| two-member fleet, one simulated gateway, podman 4.3 | median | min | max |",
            "|---|---|---|---|",
        ]
        for name, values in engine.items():
            lines.append(f"| {name} | {statistics.median(values):.1f} s | {min(values):.1f} s | {max(values):.1f} s |")
        lines += [
            "",
            "Ready = each node's own `/readyz` answers 200 (RUNNING, IB clients connected, instruments",
            "loaded, subscriptions fresh), read by the test over HTTP; compose's figure starts at",
            "`docker-compose up -d` (Redis healthy, gateway handshake healthy, then the nodes, in health order).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--engine", action="store_true")
    parser.add_argument("--engine-rounds", type=int, default=3)
    arguments = parser.parse_args()
    series = measure(arguments.rounds, arguments.members, arguments.accounts)
    engine = engine_ready(arguments.engine_rounds) if arguments.engine else {}
    text = report(series, engine, arguments.members, arguments.accounts)
    print(text)
    (ROOT / "bench" / "RESULTS-fleet.md").write_text(text)


if __name__ == "__main__":
    main()
