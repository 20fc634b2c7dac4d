"""Real services for the state tests, started as a user would: Debian's `redis-server` and
`ibrun sim`, each its own process on a free loopback port (never a system instance on 6379).

The simulator runs apart from the `ibrun run` under test, so it outlives a SIGKILLed node and
keeps the broker's orders, positions and executions for the restart, as IB Gateway would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from tests.launch.helpers import REPO, free_port

REDIS_HOWTO = (
    "redis-server not found: install Debian's redis-server (`sudo apt-get install redis-server`, "
    "or `sudo bash .ci/services-setup.sh` as .ci/run does) to run the Redis state tests"
)


class RedisServer:
    """`redis-server` on 127.0.0.1:<free port>, no persistence to disk, optional password."""

    def __init__(self, directory: Path, password: str | None = None) -> None:
        self.port = free_port()
        self.password = password
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(directory)] + (["--requirepass", password] if password else [])
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until(self._answers, 10, f"redis-server on port {self.port}")

    def client(self) -> Any:
        import redis

        return redis.Redis(port=self.port, password=self.password, decode_responses=True, protocol=2)

    def _answers(self) -> bool:
        import redis

        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited: {self.process.stdout.read() if self.process.stdout else ''}")
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def keys(self, pattern: str) -> list[str]:
        return sorted(self.client().keys(pattern))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


REDIS_PASSWORD = "rds-4Kp9-never-printed-Qw2"  # distinctive, so a leak is found by grep


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A password-protected redis-server (`requirepass`), as production runs it."""
    if shutil.which("redis-server") is None:
        pytest.skip(REDIS_HOWTO)
    server = RedisServer(tmp_path, password=REDIS_PASSWORD)
    try:
        yield server
    finally:
        server.stop()


class SimGateway:
    """`ibrun sim --port 0 --control-port 0` in its own session; its control port for inspection."""

    _READY = re.compile(r"IBRUN-SIM READY host=\S+ port=(\d+) control_port=(\d+)")

    def __init__(self, *args: str) -> None:
        script = Path(sys.executable).parent / "ibrun"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "runner.cli.entry"]
        # always_open: the orders fill at any hour the tests run (exchange hours would hold them)
        options = ["--tick-interval-ms", "100", "--market-hours", "always_open"]
        self.process = subprocess.Popen(
            [*command, "sim", "--port", "0", "--control-port", "0", *options, *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the one READY line (or EOF if it failed)
        found = self._READY.search(line)
        if found is None:
            self.stop()
            raise RuntimeError(f"ibrun sim did not start: {line!r}")
        self.port, self.control_port = int(found.group(1)), int(found.group(2))

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        from runner.sim.control import SimControl

        with SimControl(self.control_port) as control:
            return control.call(cmd, **args)

    def orders(self) -> list[dict[str, Any]]:
        return list(self.call("orders")["orders"])

    def place_order_requests(self) -> int:
        """placeOrder messages (id 3) the simulated gateway received: resubmissions included."""
        return int(self.call("requests")["counts"].get("3", 0))

    def stop(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def sim_gateway() -> Iterator[SimGateway]:
    gateway = SimGateway()
    try:
        yield gateway
    finally:
        gateway.stop()


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true (an event, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)
