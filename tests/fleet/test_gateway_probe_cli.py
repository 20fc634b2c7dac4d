"""`ibrun gateway probe HOST:PORT`: the healthcheck the fleet exports use, against `ibrun sim`."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from runner.sim.config import SimConfig
from runner.sim.launcher import SimProcess, start_simulator

pytestmark = pytest.mark.slow
PROBE = [sys.executable, "-c", "from runner.cli.entry import main; main()", "gateway", "probe"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sim() -> Iterator[SimProcess]:
    process = start_simulator(SimConfig(port=0, accounts=("DU777",)), startup_timeout=20)
    yield process
    process.stop()


def probe(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROBE, *args], capture_output=True, text=True, timeout=timeout)


def test_exit_0_when_the_api_answers_the_handshake(sim: SimProcess) -> None:
    done = probe(f"127.0.0.1:{sim.port}")
    assert done.returncode == 0, done.stderr
    assert f"127.0.0.1:{sim.port}: API answers (server version" in done.stdout and "DU777" in done.stdout


def test_exit_4_when_nothing_listens_and_2_for_a_bad_address() -> None:
    port = free_port()
    done = probe(f"127.0.0.1:{port}", "--timeout", "2")
    assert done.returncode == 4 and f"connection refused at 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert probe("nohostport").returncode == 2


def test_an_accepting_socket_that_never_answers_is_not_healthy() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:  # accepts (the kernel's backlog), never speaks
        done = probe(f"127.0.0.1:{server.getsockname()[1]}", "--timeout", "1")
    assert done.returncode == 5, done.stderr  # a TCP connect alone would have called it healthy


def test_wait_returns_once_the_gateway_comes_up() -> None:
    port = free_port()
    waiting = subprocess.Popen([*PROBE, f"127.0.0.1:{port}", "--wait", "60"], stdout=subprocess.PIPE, text=True)
    try:
        # the probe started before the gateway: it retries until the handshake answers
        sim = start_simulator(SimConfig(port=port), startup_timeout=20)
        try:
            assert waiting.wait(60) == 0
            assert "API answers" in (waiting.stdout.read() if waiting.stdout else "")
        finally:
            sim.stop()
    finally:
        waiting.kill()
        waiting.wait()


def test_watch_prints_each_change(sim: SimProcess) -> None:
    watcher = subprocess.Popen(
        [*PROBE, f"127.0.0.1:{sim.port}", "--watch", "--interval", "0.2", "--timeout", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout is not None
        assert "API answers" in watcher.stdout.readline()
        sim.stop()
        assert "API does not answer: connection refused" in watcher.stdout.readline()
    finally:
        watcher.terminate()
        watcher.wait(10)
