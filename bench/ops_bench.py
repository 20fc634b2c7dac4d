"""Operations figures of `ibrun run` against `ibrun sim` over TCP (issue 14).

    uv run python bench/ops_bench.py [--rounds 5] [--overhead-pairs 5] [--seconds 20]

1. detect: a subscription goes silent with no error (the simulator's `stall`), time until
   `/readyz` names it stale; ratio to its expected interval (target ≤ 2x). Then time until it
   delivers again (ibrun re-subscribes it, which cures a stalled stream).
2. restart: the simulator's daily restart (`restart`: every client dropped, connections refused
   for ``--outage`` seconds, then back on the same port with the same state); time from the
   gateway listening again (its `back_at`) until every subscription has delivered data stamped
   after it (target ≤ 5 s), and until `/readyz` says ready.
3. overhead: the node's CPU (user+sys of the `ibrun run` process tree, the simulator runs apart)
   at the simulator's full quote rate, monitoring on (watchdog, endpoints, a scrape of /metrics
   every second) vs off (`monitoring: {watchdog: false}`), interleaved pairs; CPU per 1,000 quotes
   too (target ≤ 5 % more).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import SimProcess, free_port_config, start_simulator

REPO = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
IBRUN = [str(Path(sys.executable).parent / "ibrun"), "run"]
OVERHEAD_IDS = ["SPY.ARCA", "EUR/USD.IDEALPRO", "AAPL.NASDAQ", "QQQ.NASDAQ", "MSFT.NASDAQ"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spec(port: int, listen: int | None, ids: list[str], monitoring: str = "") -> str:
    subs = "\n".join(f"    - {{instrument: {i}, quotes: true}}" for i in ids)
    lines = [
        "version: 1",
        "trader_id: OPS-BENCH-001",
        f"gateway: {{host: 127.0.0.1, port: {port}}}",
        f"instruments: {{load_ids: [{', '.join(ids)}]}}",
        f"data:\n  subscriptions:\n{subs}",
        "node: {timeouts: {disconnection: 3.0, post_stop: 0.5}}",
        "monitoring:" + (f"\n  listen: 127.0.0.1:{listen}" if listen else "") + monitoring,
    ]
    return "\n".join(lines) + "\n"


def readyz(listen: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{listen}/readyz", timeout=2) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return dict(json.loads(error.read()))
    except OSError:
        return None


def poll(listen: int, check: Any, timeout: float, step: float = 0.02) -> float:
    """Monotonic time at which ``check(readyz)`` first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = readyz(listen)
        if report is not None and check(report):
            return time.monotonic()
        time.sleep(step)
    raise TimeoutError("condition not reached")


def start_node(spec_text: str, workdir: Path) -> subprocess.Popen[bytes]:
    path = workdir / f"spec-{time.monotonic_ns()}.yaml"
    path.write_text(spec_text)
    return subprocess.Popen(
        [*IBRUN, str(path), "--no-status"],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_node(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- 1. detection ------------------------------------------------------------------------------


def bench_detect(rounds: int, workdir: Path) -> dict[str, Any]:
    expected = 1.0
    config = free_port_config(SimConfig(tick_interval_ms=100, market_hours="always_open"))
    with start_simulator(config) as sim:
        listen = free_port()
        extra = f"\n  market_hours: always\n  expected: {{quotes: {expected}}}"
        node = start_node(spec(sim.port, listen, ["EUR/USD.IDEALPRO"], extra), workdir)
        try:
            poll(listen, lambda r: r["ready"] and r["subscriptions"][0]["received"] > 0, 60, 0.1)
            detect, resume = [], []
            assert sim.control_port is not None
            for _ in range(rounds):
                with SimControl(sim.control_port) as control:
                    control.call("stall", localSymbol="EUR.USD")
                    silent_at = time.monotonic()
                flagged = poll(listen, lambda r: any("stale" in reason for reason in r["reasons"]), 30)
                back = poll(listen, lambda r: r["ready"] and r["subscriptions"][0]["state"] == "fresh", 30)
                detect.append(flagged - silent_at)
                resume.append(back - silent_at)
                time.sleep(1.0)  # fresh again for a while before the next silence
        finally:
            stop_node(node)
    return {"expected_s": expected, "detect_s": detect, "resume_s": resume}


# --- 2. restart --------------------------------------------------------------------------------


def bench_restart(rounds: int, outage: float, workdir: Path, cap: str | None = None) -> dict[str, Any]:
    ids = ["SPY.ARCA", "EUR/USD.IDEALPRO", "AAPL.NASDAQ"]
    recover, ready, outages = [], [], []
    with start_simulator(free_port_config(SimConfig(tick_interval_ms=100, market_hours="always_open"))) as sim:
        assert sim.control_port is not None
        listen = free_port()
        extra = "\n  market_hours: always\n  expected: {quotes: 1}" + (f"\n  reconnect_max_delay: {cap}" if cap else "")
        node = start_node(spec(sim.port, listen, ids, extra), workdir)
        try:
            poll(listen, lambda r: r["ready"] and all(s["received"] for s in r["subscriptions"]), 60, 0.1)
            jitter = random.Random(7)  # outages not in step with the reconnect tries: 0-5 s longer
            for _ in range(rounds):
                seconds = outage + jitter.uniform(0.0, 5.0)
                outages.append(seconds)
                with SimControl(sim.control_port) as control:
                    control.call("restart", seconds=seconds)
                    while (gateway := control.call("gateway"))["phase"] != "up":
                        time.sleep(0.01)
                back_at = float(gateway["back_at"])  # epoch seconds, when it listened again

                def delivered_since_back(report: dict[str, Any], since: float = back_at) -> bool:
                    now = time.time()
                    ages = [s["age_seconds"] for s in report["subscriptions"]]
                    return all(age is not None and now - age > since for age in ages)

                recover.append(_epoch_of(poll(listen, delivered_since_back, 60)) - back_at)
                ready.append(_epoch_of(poll(listen, lambda r: r["ready"], 60)) - back_at)
        finally:
            stop_node(node)
    return {"outage_s": outages, "recover_s": recover, "ready_s": ready, "cap": cap or "default (2 s)"}


def _epoch_of(monotonic: float) -> float:
    return time.time() - (time.monotonic() - monotonic)


# --- 3. overhead -------------------------------------------------------------------------------


def cpu_of_tree(pid: int) -> float:
    """user+sys seconds of ``pid`` and its live descendants (clock ticks from /proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(entry.name) == pid or int(fields[2]) == pid:  # the process or its group members
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def overhead_run(sim: SimProcess, monitored: bool, seconds: float, workdir: Path) -> tuple[float, int]:
    listen = free_port()
    extra = "\n  market_hours: always" if monitored else "\n  watchdog: false"
    node = start_node(spec(sim.port, listen if monitored else None, OVERHEAD_IDS, extra), workdir)
    scraping = threading.Event()
    quotes = 0
    try:
        assert sim.control_port is not None
        with SimControl(sim.control_port) as control:
            deadline = time.monotonic() + 60
            while not any(s["mkt_data"] for s in control.status()["sessions"]):
                if time.monotonic() > deadline:
                    raise TimeoutError("the node never subscribed")
                time.sleep(0.1)
            time.sleep(2.0)  # past start-up and instrument loading
            before = cpu_of_tree(node.pid)
            sent_before = sum(s["messages_sent"] for s in control.status()["sessions"])
            if monitored:
                threading.Thread(target=_scrape, args=(listen, scraping), daemon=True).start()
            time.sleep(seconds)
            cpu = cpu_of_tree(node.pid) - before
            quotes = sum(s["messages_sent"] for s in control.status()["sessions"]) - sent_before
    finally:
        scraping.set()
        stop_node(node)
    return cpu, quotes


def _scrape(listen: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/metrics", timeout=2).read()


def bench_overhead(pairs: int, seconds: float, workdir: Path, tick_ms: int = 2) -> dict[str, Any]:
    samples: dict[str, list[tuple[float, int]]] = {"on": [], "off": []}
    with start_simulator(free_port_config(SimConfig(tick_interval_ms=tick_ms, market_hours="always_open"))) as sim:
        for index in range(pairs):
            order = (True, False) if index % 2 == 0 else (False, True)
            for monitored in order:
                samples["on" if monitored else "off"].append(overhead_run(sim, monitored, seconds, workdir))
    return {"seconds": seconds, "samples": samples, "tick_ms": tick_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--outage", type=float, default=10.0, help="restart length (each round adds 0-5 s)")
    parser.add_argument("--overhead-pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tick-ms", type=int, default=2, help="simulator tick for the overhead figure (2: full rate)")
    parser.add_argument("--only", choices=["detect", "restart", "overhead"])
    parser.add_argument(
        "--reconnect-max-delay", metavar="SECONDS|null", help="monitoring.reconnect_max_delay for the restart figure"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ibrun-ops-bench-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "detect"):
            report(detect=bench_detect(args.rounds, workdir))
        if args.only in (None, "restart"):
            report(restart=bench_restart(args.rounds, args.outage, workdir, args.reconnect_max_delay))
        if args.only in (None, "overhead"):
            report(overhead=bench_overhead(args.overhead_pairs, args.seconds, workdir, args.tick_ms))


def report(**figures: dict[str, Any]) -> None:
    for name, data in figures.items():
        if name == "detect":
            med = statistics.median(data["detect_s"])
            print(f"detect: median {med:.2f}s = {med / data['expected_s']:.2f}x the expected {data['expected_s']:g}s")
            print(f"  detect samples: {_fmt(data['detect_s'])}; back after re-subscribing: {_fmt(data['resume_s'])}")
        elif name == "restart":
            recover, median = data["recover_s"], statistics.median(data["recover_s"])
            print(f"restart: every subscription delivering {median:.2f}s (median, max {max(recover):.2f}s)")
            print(f"  after the gateway came back (daily restarts of {_fmt(data['outage_s'])}s,")
            print(f"  reconnect_max_delay {data['cap']}); samples: {_fmt(recover)}")
            print(f"  /readyz ready again: {_fmt(data['ready_s'])}")
        else:
            on, off = data["samples"]["on"], data["samples"]["off"]
            cpu_ratio = statistics.median(c for c, _ in on) / statistics.median(c for c, _ in off)
            per_k = [1000 * c / max(q, 1) for c, q in on], [1000 * c / max(q, 1) for c, q in off]
            per_quote_ratio = statistics.median(per_k[0]) / statistics.median(per_k[1])
            rate = f"simulator tick {data['tick_ms']} ms"
            print(f"overhead ({rate}): CPU on/off {cpu_ratio:.3f}, per message {per_quote_ratio:.3f}, {len(on)} pairs")
            print(f"  on: {_fmt([c for c, _ in on])} CPU-s, {[q for _, q in on]} msgs")
            print(f"  off: {_fmt([c for c, _ in off])} CPU-s, {[q for _, q in off]} msgs")
        sys.stdout.flush()


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
