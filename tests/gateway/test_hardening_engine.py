"""Hardening on a real engine (podman), with the test gateway image: the live interlock at
`gateway up` and `run`, secret files that never outlive their need, and every stop signal —
including a closed terminal — leaving no container and no secret file behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from runner.gateway.secrets import SECRETS_ROOT, secret_dir
from tests.gateway.conftest import TEST_PASSWORD
from tests.launch.helpers import StreamWatcher, Terminal, kill_group

pytestmark = [pytest.mark.engine]
ROOT = Path(__file__).resolve().parents[2]
STUB = {"IBRUN_TEST_SERVER": "stub"}
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
NAMES = [sig.name for sig in SIGNALS]


def ibrun(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from runner.cli.entry import main; main()", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "IBRUN_CONFIRM_LIVE"}, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        kill_group(process.pid)
    return process.returncode, out + err


def containers(engine: Any, fragment: str) -> list[Any]:
    return [c for c in engine.containers.list(all=True) if fragment in c.name]


def secret_dirs(fragment: str) -> list[Path]:
    return [path for path in SECRETS_ROOT.glob("ibrun-*") if fragment in path.name]


def wait_running(engine: Any, fragment: str, process: subprocess.Popen[str]) -> Any:
    deadline = time.monotonic() + 60
    while True:
        running = [c for c in engine.containers.list(filters={"status": "running"}) if fragment in c.name]
        if running:
            return running[0]
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.1)


# --- the live interlock ----------------------------------------------------------------------------


def test_gateway_up_needs_consent_for_a_live_writable_container(engine: Any, write_spec: Any, tmp_path: Path) -> None:
    loaded = write_spec("liveup", trading_mode="live", read_only_api=False, env=STUB)
    code, output = finish(ibrun("gateway", "up", "-q", str(loaded.path)))
    assert code == 3, output
    assert "refusing to start a live, writable gateway without confirmation (ibrun gateway up)" in output
    assert "gateway.trading_mode is 'live'" in output and "gateway.read_only_api is false" in output
    assert containers(engine, "liveup") == [] and secret_dirs("liveup") == []
    try:
        code, output = finish(ibrun("gateway", "up", "-q", "--confirm-live", str(loaded.path)))
        assert code == 0, output
        assert "accounts U1234567" in output  # a live login
        port = int(output.split("ready at 127.0.0.1:")[1].split()[0])
        # A second spec that says paper, pointed at the live container: refused at the handshake.
        paper = tmp_path / "paper.yaml"
        paper.write_text(
            textwrap.dedent(f"""\
            version: 1
            trader_id: PAPER-BOT-001
            gateway: {{host: 127.0.0.1, port: {port}, trading_mode: paper}}
            exec: {{client_id: 7, account_id: U1234567}}
            """)
        )
        code, output = finish(ibrun("run", str(paper)))
        assert code == 3, output
        assert f"the gateway at 127.0.0.1:{port} manages U1234567 (a live account)" in output
        assert "although the spec says trading_mode 'paper'" in output
    finally:
        finish(ibrun("gateway", "down", str(loaded.path)))
    assert containers(engine, "liveup") == []


@pytest.mark.parametrize("command", ["gateway up", "run"])
def test_a_paper_container_whose_login_is_live_is_refused_and_removed(
    engine: Any, write_spec: Any, command: str
) -> None:
    name = f"paperlive{command.split()[-1]}"
    account = {**STUB, "IBRUN_TEST_ACCOUNT": "U7654321"}  # the spec says paper; the login is live
    loaded = write_spec(name, read_only_api=False, env=account, extra_docker="keep: true")
    args = ["gateway", "up", "-q"] if command == "gateway up" else ["run"]
    code, output = finish(ibrun(*args, str(loaded.path)))
    assert code == 3, output
    assert "manages U7654321 (a live account) although the spec says trading_mode 'paper'" in output
    assert "the container ibrun started for it was removed" in output
    assert containers(engine, name) == [] and secret_dirs(name) == []  # even with keep: true


def test_a_live_container_on_the_paper_port_is_refused_before_anything_starts(engine: Any, tmp_path: Path) -> None:
    spec = tmp_path / "liveonpaper.yaml"
    spec.write_text(
        textwrap.dedent("""\
        version: 1
        gateway:
          trading_mode: live
          docker: {host_port: 4002, username: {env: IBRUN_TEST_TWS_USERNAME}, password: {env: IBRUN_TEST_TWS_PASSWORD}}
        """)
    )
    for args in (["gateway", "up", "-q", "--confirm-live"], ["run", "--confirm-live"], ["validate"]):
        code, output = finish(ibrun(*args, str(spec)))
        assert code == 1, output
        assert "$.gateway.docker.host_port: 4002 (IB Gateway paper) is IB's paper-trading port" in output
    assert containers(engine, "liveonpaper") == []


# --- secret files --------------------------------------------------------------------------------


def test_a_restart_policy_keeps_the_secret_file_as_long_as_the_container(engine: Any, write_spec: Any) -> None:
    from runner.gateway.manager import docker_gateway

    loaded = write_spec("restartpolicy", env=STUB, extra_docker="restart_policy: on-failure")
    with docker_gateway(loaded, progress=False) as handle:
        assert (secret_dir(handle.container_name) / "tws_password").exists()  # a restart reads it again
    assert not secret_dir(handle.container_name).exists()


def test_the_secret_files_of_a_killed_ibrun_are_swept(engine: Any, write_spec: Any) -> None:
    loaded = write_spec("killed", timeout=60, env={**STUB, "IBRUN_TEST_LOGIN": "hang"})
    process = ibrun("gateway", "up", "-q", str(loaded.path))
    container = wait_running(engine, "killed", process)
    assert secret_dirs("killed"), "the password file is mounted while the login runs"
    kill_group(process.pid)  # SIGKILL: ibrun cleans up nothing
    process.wait(10)
    container.remove(force=True)  # the container goes (by hand); its secret file stayed
    assert secret_dirs("killed")
    code, output = finish(ibrun("gateway", "status", str(loaded.path)))
    assert code == 4 and "no container" in output, output
    assert secret_dirs("killed") == []  # swept by the next gateway command


# --- stop signals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_a_signal_while_the_container_logs_in_leaves_nothing(engine: Any, write_spec: Any, sig: signal.Signals) -> None:
    name = f"login{sig.name.lower()}"
    loaded = write_spec(name, timeout=60, env={**STUB, "IBRUN_TEST_LOGIN": "hang"})
    process = ibrun("gateway", "up", "-q", str(loaded.path))
    wait_running(engine, name, process)  # the login hangs: ibrun is in its readiness loop
    process.send_signal(sig)
    code, output = finish(process, 30)
    assert code == 130, output
    assert f"interrupted by {sig.name}" in output or "interrupted while starting the gateway" in output
    assert containers(engine, name) == [] and secret_dirs(name) == []


DOCKER_SIM = ROOT / "specs" / "docker-sim.yaml"


def docker_sim_name() -> str:
    """This checkout's docker-sim container (others on the machine run their own)."""
    from runner.gateway.container import container_name
    from runner.validation.pipeline import load_spec

    spec = load_spec(DOCKER_SIM).spec
    return container_name(spec, str(DOCKER_SIM.resolve()))


def docker_sim_command(test_image: str, *extra: str) -> list[str]:
    entry = [sys.executable, "-c", "from runner.cli.entry import main; main()", "specs/docker-sim.yaml"]
    return [*entry, "--set", f"gateway.docker.image={test_image}", *extra]


SIM_ENV = {"IBRUN_SIM_TWS_USERNAME": "demo", "IBRUN_SIM_TWS_PASSWORD": TEST_PASSWORD}


@pytest.mark.slow
@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_a_signal_while_the_node_runs_leaves_nothing(
    engine: Any, test_image: str, credentials: Any, sig: signal.Signals
) -> None:
    process = subprocess.Popen(
        docker_sim_command(test_image),
        cwd=ROOT,
        env={**os.environ, **SIM_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    watcher = StreamWatcher(process.stdout)
    try:
        assert watcher.wait_for("ibrun: 0s instruments=2", 150), watcher.text()[-3000:]
        process.send_signal(sig)
        process.wait(30)
        output = watcher.text()
    finally:
        kill_group(process.pid)
    assert process.returncode == 130, output[-3000:]
    assert f"stopped: signal {sig.name}" in output and "instruments loaded: 2" in output  # the summary
    assert TEST_PASSWORD not in output
    assert containers(engine, docker_sim_name()) == [] and secret_dirs(docker_sim_name()) == []


@pytest.mark.slow
def test_closing_the_terminal_while_the_node_runs_leaves_nothing(
    engine: Any, test_image: str, credentials: Any
) -> None:
    # The node's console log on the terminal: the case that used to abort the process.
    command = docker_sim_command(test_image, "--no-status", "--set", "node.logging.level=INFO")
    term = Terminal(command, env=SIM_ENV)
    try:
        assert term.wait_for(b"IBRUN-SUBSCRIBER: RUNNING", 150), term.text()[-3000:]
        assert containers(engine, docker_sim_name())
        term.hang_up()
        term.proc.wait(30)
    finally:
        kill_group(term.proc.pid)
    assert term.proc.returncode == 130
    assert containers(engine, docker_sim_name()) == [] and secret_dirs(docker_sim_name()) == []
