"""The simulator's memory stays bounded under the hardening probe's attack (issue 10): many
connections announcing 16 MiB frames before their handshake, idle half-open connections, more
connections than it serves. RSS is read from /proc for the simulator process."""

from __future__ import annotations

import contextlib
import itertools
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
from ibapi_app import RecordingApp
from sim_settings import sim_config

from runner.sim.control import SimControl
from runner.sim.launcher import start_simulator

FRAME_16MIB = 16 * 1024 * 1024 - 1
CHUNK = b"\0" * (1024 * 1024)
CLIENT_IDS = itertools.count(41)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def flood(port: int, prefix: bytes, megabytes: int) -> None:
    """One attacker: the prefix, a 16 MiB frame header, then as much of the payload as it takes."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(prefix + struct.pack(">I", FRAME_16MIB))
        for _ in range(megabytes):
            sock.sendall(CHUNK)


def version_frame() -> bytes:
    text = b"v100..200"
    return b"API\0" + struct.pack(">I", len(text)) + text


@pytest.fixture(scope="module")
def sim():
    process = start_simulator(sim_config(max_connections=40, handshake_timeout_s=1.0), startup_timeout=20)
    yield process
    process.stop()


@pytest.mark.parametrize("prefix", [b"API\0", version_frame()], ids=["version", "before-startApi"])
def test_memory_stays_bounded_under_16mib_frames_before_the_handshake(sim, prefix):
    before = rss_bytes(sim.pid)
    attackers = [threading.Thread(target=flood, args=(sim.port, prefix, 16)) for _ in range(30)]
    for thread in attackers:
        thread.start()
    for thread in attackers:
        thread.join(60)
    grown = rss_bytes(sim.pid) - before
    # Unbounded, 30 such frames took the simulator from 33 MB to 515 MB.
    assert grown < 32 * 1024 * 1024, f"RSS grew by {grown / 1e6:.0f} MB"
    app = RecordingApp().start(sim.port, next(CLIENT_IDS))  # and it still serves
    app.stop()


def test_a_connection_that_never_sends_startapi_is_closed(sim):
    with SimControl(sim.control_port) as control:
        timed_out = control.call("gateway")["connections"]["timed_out"]
        with socket.create_connection(("127.0.0.1", sim.port)) as idle:
            idle.settimeout(20)
            assert idle.recv(1) == b""  # closed by the simulator after handshake_timeout_s
        assert control.call("gateway")["connections"]["timed_out"] == timed_out + 1


def test_connections_above_the_cap_are_closed_at_once():
    config = sim_config(max_connections=3)
    with start_simulator(config, startup_timeout=20) as sim, SimControl(sim.control_port) as control:
        held = [socket.create_connection(("127.0.0.1", sim.port)) for _ in range(3)]
        try:
            _wait(lambda: control.call("gateway")["connections"]["open"] == 3)
            with socket.create_connection(("127.0.0.1", sim.port)) as extra:
                extra.settimeout(20)
                with contextlib.suppress(ConnectionResetError):
                    assert extra.recv(1) == b""
            assert control.call("gateway")["connections"]["refused"] == 1
            held.pop().close()
            _wait(lambda: control.call("gateway")["connections"]["open"] == 2)
            app = RecordingApp().start(sim.port, next(CLIENT_IDS))  # a free place: a client gets in
            app.stop()
        finally:
            for sock in held:
                sock.close()


def _wait(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
