"""Raw throughput of `ibrun sim` to a minimal socket client (target ≥ 50,000 msgs/s).

The client does the handshake and startApi, then only splits frames and counts them; the sim
encodes real simulated quotes as tickPrice messages (control command `burst`).
Run: uv run python bench/sim_throughput.py [--count 300000]
"""

from __future__ import annotations

import argparse
import socket
import struct
import threading
import time

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator
from runner.sim.protocol import wire


class CountingClient:
    def __init__(self, port: int, client_id: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        hello = b"v100..200"
        self.sock.sendall(b"API\0" + struct.pack(">I", len(hello)) + hello)
        self.buffer = b""
        self._read_frames(1)  # server version + time
        self.sock.sendall(wire.frame([71, 2, client_id, ""]))
        self.count = 0
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

    def _consume(self) -> int:
        view, pos, frames = self.buffer, 0, 0
        while len(view) - pos >= 4:
            (size,) = struct.unpack_from(">I", view, pos)
            if len(view) - pos - 4 < size:
                break
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300_000)
    args = parser.parse_args()
    with start_simulator(free_port_config(SimConfig()), startup_timeout=30) as sim:
        client = CountingClient(sim.port, 1)
        client._read_frames(5)  # nextValidId, managedAccounts, 3 farm-status messages
        reader = threading.Thread(target=client.count_until, args=(args.count,))
        reader.start()
        with SimControl(sim.control_port) as control:
            result = control.call("burst", client_id=1, count=args.count, req_id=1)
        reader.join(120)
        elapsed = client.last - client.first
        print(f"messages received      : {client.count:,}")
        print(f"client-side rate       : {client.count / elapsed:,.0f} msgs/s")
        print(f"sim wall for the burst : {result['seconds']:.3f} s ({args.count / result['seconds']:,.0f} msgs/s)")
        print(
            f"sim CPU for the burst  : {result['cpu_seconds']:.3f} s "
            f"({args.count / max(result['cpu_seconds'], 1e-9):,.0f} msgs per CPU-second)"
        )


if __name__ == "__main__":
    main()
