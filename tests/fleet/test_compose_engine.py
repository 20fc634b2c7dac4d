"""The compose export run by a real compose (Debian's docker-compose 1.29, Docker API) on podman:
a two-member fleet on one simulated gateway comes up in health order, both nodes answer ready
through their own health endpoints, a member killed with SIGKILL is restarted by the engine and
is ready again (its state in the fleet's Redis), and `down` leaves no container, network or volume.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.cli.app import run as ibrun
from tests.fleet.conftest import TEST_PASSWORD, TEST_USER, write_fleet
from tests.fleet.engine import HealthDriver, compose_binary, wait_for
from tests.fleet.images import ensure_node_image, ensure_redis_image, node_mounts

pytestmark = [pytest.mark.engine, pytest.mark.slow]
PROJECT = "ibrunfleettest"
NODE_SERVICES = ("gateway-paper-probe", "node-a", "node-b")


def _override(compose: dict[str, Any]) -> dict[str, Any]:
    """Test-only additions: Python and the project mounted into node-image containers (the test
    node image holds neither), and each node's monitoring port published on loopback."""
    mounts = [f"{path}:{path}:ro" for path in node_mounts()]
    services: dict[str, Any] = {name: {"volumes": mounts} for name in NODE_SERVICES}
    for name in ("node-a", "node-b"):
        services[name]["ports"] = ["127.0.0.1::9464"]
    assert set(NODE_SERVICES) <= set(compose["services"])
    return {"services": services}


def _compose(directory: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = [compose_binary(), "-p", PROJECT, "-f", "compose.yaml", "-f", "override.yaml", *args]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=timeout, check=False)


def _project(engine: Any) -> list[Any]:
    return engine.containers.list(all=True, filters={"label": f"com.docker.compose.project={PROJECT}"})


def _readiness(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=3) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:  # 503 while not ready
        error.close()
        return None
    except OSError:
        return None


def _monitoring_port(engine: Any, service: str) -> int | None:
    for container in _project(engine):
        if container.labels.get("com.docker.compose.service") == service and container.status == "running":
            bindings = container.attrs["NetworkSettings"]["Ports"].get("9464/tcp") or []
            return next((int(b["HostPort"]) for b in bindings if b.get("HostPort")), None)
    return None


def _ready(engine: Any, service: str) -> dict[str, Any] | None:
    port = _monitoring_port(engine, service)
    report = _readiness(port) if port else None
    return report if report and report.get("ready") else None


def _container(engine: Any, service: str) -> Any:
    return next(c for c in _project(engine) if c.labels.get("com.docker.compose.service") == service)


def test_two_member_fleet_on_compose(
    engine: Any, test_image: str, fleet_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = {"node": ensure_node_image(engine), "gateway": test_image, "redis": ensure_redis_image(engine)}
    fleet = write_fleet(fleet_dir, name=PROJECT, images=images)
    monkeypatch.setenv("FLEET_TEST_USER", TEST_USER)
    assert ibrun(["export", "compose", str(fleet), "-o", str(fleet_dir / "compose.yaml")]) == 0
    compose = yaml.safe_load((fleet_dir / "compose.yaml").read_text())
    (fleet_dir / "override.yaml").write_text(yaml.safe_dump(_override(compose)))
    _compose(fleet_dir, "down", "-v", "--timeout", "5")  # a previous run's leftovers, if any
    started = time.monotonic()
    try:
        with HealthDriver(lambda: _project(engine)):
            up = _compose(fleet_dir, "up", "-d")
            assert up.returncode == 0, up.stdout + up.stderr
            reports = {s: wait_for(lambda s=s: _ready(engine, s), 240, f"{s} ready") for s in ("node-a", "node-b")}
            ready_seconds = time.monotonic() - started
            assert {r["trader_id"] for r in reports.values()} == {"FLEETA-001", "FLEETB-001"}
            _kill_and_recover(engine, "node-a")
        _assert_no_secret(engine)
        print(f"\nfleet ready in {ready_seconds:.1f}s")  # bench/fleet_bench.py records it
    finally:
        down = _compose(fleet_dir, "down", "-v", "--timeout", "20")
    assert down.returncode == 0, down.stdout + down.stderr
    _assert_nothing_left(engine)


def _kill_and_recover(engine: Any, service: str) -> None:
    """SIGKILL a node once its orders are in Redis; the engine restarts it and the node, started
    again from the same command, loads them back (its order-id counter continues)."""
    redis = _container(engine, "redis")
    wait_for(lambda: "orders" in _redis_keys(redis, "trader-FLEETA-001:*"), 120, "node-a's orders in Redis")
    container = _container(engine, service)
    restarts = container.attrs["RestartCount"]
    os.kill(container.attrs["State"]["Pid"], 9)  # a crash, not a stop: the restart policy applies

    def restarted() -> bool:
        current = _container(engine, service)
        return current.attrs["RestartCount"] > restarts and current.status == "running"

    wait_for(restarted, 60, f"{service} restarted by the engine")
    wait_for(lambda: _ready(engine, service), 240, f"{service} ready again after SIGKILL")
    logs = _container(engine, service).logs().decode(errors="replace")
    counts = re.findall(r"DemoStrategy: Set ClientOrderIdGenerator client_order_id count to (\d+)", logs)
    assert len(counts) >= 2 and int(counts[-1]) > 0, counts  # the second start found its orders


def _redis_keys(redis: Any, pattern: str) -> str:
    return str(redis.exec_run(["redis-cli", "--scan", "--pattern", pattern]).output.decode())


def _assert_no_secret(engine: Any) -> None:
    for container in _project(engine):
        assert TEST_PASSWORD not in json.dumps(container.attrs), container.name


def _assert_nothing_left(engine: Any) -> None:
    label = f"com.docker.compose.project={PROJECT}"
    assert _project(engine) == []
    assert engine.networks.list(filters={"label": label}) == []
    assert [n.name for n in engine.networks.list() if n.name.startswith(PROJECT)] == []
    assert engine.volumes.list(filters={"label": label}) == []
