"""The docker gateway lifecycle on a real Docker-API engine (podman), with the test image.

Skipped (with how to enable) when podman is not installed; CI installs it via
.ci/engine-setup.sh. Most tests run the image's stand-in API server (fast); the end-to-end test
runs ibrun's simulator in the container and a TradingNode against it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from runner.errors import GatewayStartFailed
from runner.gateway.manager import (
    GatewayReadyTimeout,
    docker_gateway,
    remove_spec_gateway,
    start_docker_gateway,
    stop_docker_gateway,
)
from runner.gateway.secrets import secret_dir
from tests.gateway.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.engine]
ROOT = Path(__file__).resolve().parents[2]
STUB = {"IBRUN_TEST_SERVER": "stub"}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def containers_named(engine: Any, name: str) -> list[Any]:
    return [c for c in engine.containers.list(all=True) if c.name == name]


def test_start_waits_for_handshake_and_stop_removes(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("basic", env=STUB)
    with docker_gateway(loaded, progress=False) as handle:
        assert handle.created
        assert handle.probe.managed_accounts == ("DU123456",)
        container = engine.containers.get(handle.container_name)
        assert container.labels["ibrun.spec"] == str(loaded.path.resolve())
        assert container.labels["ibrun.trading_mode"] == "paper"
        assert container.attrs["HostConfig"]["RestartPolicy"]["Name"] in ("", "no")
        bindings = container.attrs["NetworkSettings"]["Ports"]["4004/tcp"]
        assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}
        # The login has read the password: its file is gone while the container runs on.
        assert not secret_dir(handle.container_name).exists()
        steps = [step for step, _, _ in handle.steps]
        assert steps.index("create") < steps.index("start") < steps.index("wait-ready")
        assert handle.counts["probes"] >= 1
    assert containers_named(engine, handle.container_name) == []
    assert not secret_dir(handle.container_name).exists()


def test_healthy_container_is_reused(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("reuse", env=STUB)
    first = start_docker_gateway(loaded, progress=False)
    try:
        second = start_docker_gateway(loaded, progress=False)
        assert not second.created and second.container_id == first.container_id
        assert second.port == first.port
        assert stop_docker_gateway(second) is False  # not ours to stop
        assert containers_named(engine, first.container_name)
    finally:
        stop_docker_gateway(first, force=True)
    assert containers_named(engine, first.container_name) == []


def test_changed_config_recreates(engine: Any, write_spec: Any) -> None:
    first = start_docker_gateway(write_spec("change", env=STUB), progress=False)
    try:
        second = start_docker_gateway(write_spec("change", env={**STUB, "TIME_ZONE": "Europe/Paris"}), progress=False)
        assert second.created and second.container_id != first.container_id
    finally:
        remove_spec_gateway(write_spec("change", env=STUB))


def test_password_reaches_the_container_as_a_file(write_spec: Any) -> None:
    # The image fails the login unless the mounted file holds exactly the password.
    loaded = write_spec("pwcheck", env={**STUB, "IBRUN_TEST_EXPECTED_SHA256": sha256(TEST_PASSWORD)})
    with docker_gateway(loaded, progress=False) as handle:
        assert handle.probe.server_version > 0


def test_missing_image_is_pulled_then_reported(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("noimage", image="localhost:1/ibrun-no-such-image:0")
    with pytest.raises(GatewayStartFailed, match="is not available"):
        start_docker_gateway(loaded, progress=False)
    assert [c for c in engine.containers.list(all=True) if "noimage" in c.name] == []
    assert not secret_dir(plans_name(loaded)).exists()


def plans_name(loaded: Any) -> str:
    from runner.gateway.container import container_name, spec_identity

    return container_name(loaded.spec, spec_identity(loaded.spec, loaded.base_dir, loaded.path))


def test_logs_prints_whole_lines(engine: Any, write_spec: Any) -> None:
    # The image's Python prints text and newline as two writes; podman's own `tail` then
    # joins lines. `gateway logs` must print exactly the container's lines.
    loaded = write_spec("logs", env=STUB)
    with docker_gateway(loaded, progress=False) as handle:
        container = engine.containers.get(handle.container_name)
        # The API can answer a moment before IBC's last log lines are written: wait for them,
        # so the log no longer changes while it is compared.
        deadline = time.monotonic() + 10
        while "Configuration tasks completed" not in container.logs().decode() and time.monotonic() < deadline:
            time.sleep(0.1)
        full = container.logs().decode()
        outputs = {}
        for tail in ("3", "0"):
            process = ibrun("gateway", "logs", "--tail", tail, str(loaded.path))
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            outputs[tail] = out
    assert outputs["0"] == full
    assert outputs["3"].splitlines() == full.splitlines()[-3:]
    assert "IBC: Login has completed\n" in outputs["3"]


def test_failed_login_is_reported_and_removed(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("badlogin", env={**STUB, "IBRUN_TEST_EXPECTED_SHA256": sha256("other")})
    started = time.monotonic()
    with pytest.raises(GatewayStartFailed) as caught:
        start_docker_gateway(loaded, progress=False)
    message = str(caught.value)
    assert "exited" in message and "Login failed" in message
    assert TEST_PASSWORD not in message
    assert time.monotonic() - started < 15
    assert [c for c in engine.containers.list(all=True) if "badlogin" in c.name] == []


def test_timeout_is_reported_and_removed(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("hang", timeout=3, env={**STUB, "IBRUN_TEST_LOGIN": "hang"})
    started = time.monotonic()
    with pytest.raises(GatewayReadyTimeout) as caught:
        start_docker_gateway(loaded, progress=False)
    assert 3 <= time.monotonic() - started < 12
    assert "within 3s" in str(caught.value) and "Second Factor" in str(caught.value)
    assert [c for c in engine.containers.list(all=True) if "hang" in c.name] == []


def test_keep_leaves_it_running_until_down(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("keep", env=STUB, extra_docker="keep: true")
    with docker_gateway(loaded, progress=False) as handle:
        pass
    assert containers_named(engine, handle.container_name)[0].status == "running"
    assert remove_spec_gateway(loaded) == handle.container_name
    assert containers_named(engine, handle.container_name) == []


def ibrun(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from runner.cli.entry import main; main()", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_status_and_logs_without_a_container_exit_4(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("absent", env=STUB)
    for command in (["gateway", "status"], ["gateway", "logs"]):
        process = ibrun(*command, str(loaded.path))
        out, err = process.communicate(timeout=60)
        assert process.returncode == 4, out + err
        assert err.startswith("error: gateway ") and "no container" in err and "Traceback" not in err


def test_secret_never_appears(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("secrets", env=STUB, extra_docker="keep: true")
    outputs = []
    for command in (
        ["gateway", "up", "-q"],
        ["gateway", "status"],
        ["gateway", "logs"],
        ["render"],
        ["gateway", "down"],
    ):
        process = ibrun(*command, str(loaded.path))
        out, err = process.communicate(timeout=60)
        outputs.append(out + err)
        if command[-1] == "status":  # inspect while it runs
            container = next(c for c in engine.containers.list() if "secrets" in c.name)
            outputs.append(json.dumps(container.attrs))
            outputs.append(container.logs().decode())
    assert "ready at 127.0.0.1" in outputs[0], outputs[0]
    for text in outputs:
        assert TEST_PASSWORD not in text
    failed = write_spec("secrets2", env={**STUB, "IBRUN_TEST_LOGIN": "fail"})
    with pytest.raises(GatewayStartFailed) as caught:
        start_docker_gateway(failed, progress=False)
    assert TEST_PASSWORD not in str(caught.value)


@pytest.mark.slow
def test_run_docker_sim_spec_end_to_end(engine: Any, test_image: str, credentials: Any) -> None:
    env = {**os.environ, "IBRUN_SIM_TWS_USERNAME": "demo", "IBRUN_SIM_TWS_PASSWORD": TEST_PASSWORD}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from runner.cli.entry import main; main()",
            "specs/docker-sim.yaml",
            "--duration",
            "4",
            "--no-status",
            "--set",
            f"gateway.docker.image={test_image}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "via docker gateway 127.0.0.1:" in output
    assert "instruments loaded: 2" in output
    assert TEST_PASSWORD not in output
    assert [c for c in engine.containers.list(all=True) if "docker-sim" in c.name] == []
