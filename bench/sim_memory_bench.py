"""The simulator's memory under the hardening probe's attack (issue 10): 30 connections each
announce a 16 MiB frame before their handshake (once after `API\\0`, once after a valid version
string) and send 16 MiB of it; the simulator's RSS before and after, with its default limits and
with the pre-handshake frame limit lifted to the protocol's 16 MiB (the old behaviour).

    uv run python bench/sim_memory_bench.py [--connections 30] [--megabytes 16]
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import threading
from pathlib import Path

from runner.sim.config import SimConfig
from runner.sim.launcher import free_port_config, start_simulator

FRAME = 16 * 1024 * 1024 - 1
CHUNK = b"\0" * (1024 * 1024)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def flood(port: int, prefix: bytes, megabytes: int) -> None:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(prefix + struct.pack(">I", FRAME))
        for _ in range(megabytes):
            sock.sendall(CHUNK)


def attack(port: int, connections: int, megabytes: int) -> None:
    version = b"v100..200"
    for prefix in (b"API\0", b"API\0" + struct.pack(">I", len(version)) + version):
        threads = [threading.Thread(target=flood, args=(port, prefix, megabytes)) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=30)
    parser.add_argument("--megabytes", type=int, default=16)
    args = parser.parse_args()
    cases = {"limits (defaults)": {}, "no pre-handshake limit (before)": {"handshake_max_bytes": FRAME + 1}}
    for label, changes in cases.items():
        with start_simulator(free_port_config(SimConfig(), **changes), startup_timeout=20) as sim:
            before = rss_mb(sim.pid)
            attack(sim.port, args.connections, args.megabytes)
            print(f"{label}: RSS {before:.0f} MB -> {rss_mb(sim.pid):.0f} MB", flush=True)


if __name__ == "__main__":
    main()
