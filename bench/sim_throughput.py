"""Raw throughput and memory of `ibrun sim` to a minimal socket client (target ≥ 50,000 msgs/s).

The client does the handshake and startApi, then only splits frames and counts them; the sim
encodes real simulated quotes as tickPrice messages (control command `burst`). A second phase
measures the request path: the client writes `--requests` reqContractDetails at once and counts
the contractDataEnd replies (parse → universe → encode per request); wall rate and per sim
CPU-second (the steadier figure on a loaded machine). RSS of the sim process is
read from /proc: after start-up (the universe) and its peak after both phases.

Run:     uv run python bench/sim_throughput.py [--count 300000] [--requests 10000]
Compare: uv run python bench/sim_throughput.py --against /work/main --runs 7
         (each run starts a fresh sim from this tree and from the other one, alternating which
         goes first; prints every run, the medians and new/old ratios). Unset
         PYTHONDONTWRITEBYTECODE when timing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
START_API, REQ_CONTRACT_DATA, CONTRACT_DATA_END = 71, 9, b"52"  # ibapi OUT/IN ids (tree-agnostic)
AAPL_CON_ID = 265598


def frame(*fields: object) -> bytes:
    payload = b"".join(str(f).encode() + b"\0" for f in fields)
    return struct.pack(">I", len(payload)) + payload


class CountingClient:
    def __init__(self, port: int, client_id: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        hello = b"v100..200"
        self.sock.sendall(b"API\0" + struct.pack(">I", len(hello)) + hello)
        self.buffer = b""
        self._read_frames(1)  # server version + time
        self.sock.sendall(frame(START_API, 2, client_id, ""))
        self.count = 0
        self.marked = 0
        self.first = self.last = 0.0

    def _read_frames(self, wanted: int) -> int:
        got = 0
        while got < wanted:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
            got += self._consume()
        return got

    def _consume(self, marker: bytes | None = None) -> int:
        view, pos, frames = self.buffer, 0, 0
        while len(view) - pos >= 4:
            (size,) = struct.unpack_from(">I", view, pos)
            if len(view) - pos - 4 < size:
                break
            if marker is not None and view[pos + 4 : pos + 5 + len(marker)] == marker + b"\0":
                self.marked += 1
            pos += 4 + size
            frames += 1
        self.buffer = view[pos:]
        return frames

    def count_until(self, total: int) -> None:
        while self.count < total:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                break
            if not self.first:
                self.first = time.perf_counter()
            self.buffer += chunk
            self.count += self._consume()
        self.last = time.perf_counter()

    def requests_per_second(self, count: int) -> float:
        """Write `count` reqContractDetails at once; time until every contractDataEnd arrived."""
        requests = b"".join(frame(REQ_CONTRACT_DATA, 8, 10_000 + i, AAPL_CON_ID, *[""] * 11) for i in range(count))
        self.marked = 0
        started = time.perf_counter()
        self.sock.sendall(requests)
        while self.marked < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
            self._consume(CONTRACT_DATA_END)
        return count / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (clock ticks, 10 ms on Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def measure(count: int, request_count: int) -> dict[str, float]:
    with start_simulator(free_port_config(SimConfig()), startup_timeout=30) as sim:
        rss_started = rss_kib(sim.pid)["VmRSS"]
        client = CountingClient(sim.port, 1)
        client._read_frames(5)  # nextValidId, managedAccounts, 3 farm-status messages
        reader = threading.Thread(target=client.count_until, args=(count,))
        reader.start()
        with SimControl(sim.control_port) as control:
            result = control.call("burst", client_id=1, count=count, req_id=1)
        reader.join(120)
        cpu_before = cpu_seconds(sim.pid)
        request_rate = client.requests_per_second(request_count)
        request_cpu = cpu_seconds(sim.pid) - cpu_before
        rss = rss_kib(sim.pid)
        return {
            "received": client.count,
            "client_msgs_per_s": client.count / (client.last - client.first),
            "sim_msgs_per_s": count / result["seconds"],
            "sim_msgs_per_cpu_s": count / max(result["cpu_seconds"], 1e-9),
            "requests_per_s": request_rate,
            "requests_per_cpu_s": request_count / max(request_cpu, 1e-9),
            "rss_started_mib": rss_started / 1024,
            "rss_peak_mib": rss["VmHWM"] / 1024,
        }


def compare(other: Path, runs: int, count: int, request_count: int) -> None:
    trees = {"new": REPO, "old": other.resolve()}
    figures: dict[str, list[dict[str, float]]] = {"new": [], "old": []}
    for run in range(runs):
        order = ["new", "old"] if run % 2 == 0 else ["old", "new"]
        for label in order:
            env = {**os.environ, "PYTHONPATH": str(trees[label])}
            command = [sys.executable, str(HERE), "--json", "--count", str(count), "--requests", str(request_count)]
            out = subprocess.run(command, env=env, cwd=trees[label], capture_output=True, text=True, check=True)
            figures[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(f"run {run + 1} {label}: " + ", ".join(f"{k}={v:,.1f}" for k, v in figures[label][-1].items()))
    print(f"\nmedians over {runs} alternating runs ({count:,} burst msgs, {request_count:,} requests):")
    for key in figures["new"][0]:
        new = statistics.median(f[key] for f in figures["new"])
        old = statistics.median(f[key] for f in figures["old"])
        print(f"  {key:20s} new {new:>12,.1f}   old {old:>12,.1f}   new/old {new / old:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="One JSON line of figures (used by --against).")
    parser.add_argument("--against", type=Path, help="Another checkout to compare with, alternating runs.")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.against:
        compare(args.against, args.runs, args.count, args.requests)
        return
    figures = measure(args.count, args.requests)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"messages received      : {figures['received']:,}")
    print(f"client-side rate       : {figures['client_msgs_per_s']:,.0f} msgs/s")
    print(f"sim burst rate         : {figures['sim_msgs_per_s']:,.0f} msgs/s wall")
    print(f"sim CPU for the burst  : {figures['sim_msgs_per_cpu_s']:,.0f} msgs per CPU-second")
    print(
        f"request round trips    : {figures['requests_per_s']:,.0f} reqContractDetails/s wall, "
        f"{figures['requests_per_cpu_s']:,.0f} per sim CPU-second"
    )
    print(
        f"sim RSS                : {figures['rss_started_mib']:.1f} MiB started, {figures['rss_peak_mib']:.1f} MiB peak"
    )


if __name__ == "__main__":
    main()
