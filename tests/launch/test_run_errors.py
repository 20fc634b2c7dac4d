"""`ibrun run` end to end without a simulator: dry runs, and each actionable error's exit code."""

from __future__ import annotations

import signal
import textwrap
import time
from pathlib import Path

import pytest

from tests.launch.helpers import SPECS, SilentServer, free_port, kill_group, run, spawn, wait_group_gone

pytestmark = pytest.mark.slow

SHIPPED = sorted(SPECS.glob("*.yaml"))
# Values the shipped specs interpolate; DOCKER_HOST points nowhere so touching docker would fail.
DRY_ENV = {
    "TWS_ACCOUNT": "U1234567",
    "TWS_USERNAME": "user",
    "TWS_PASSWORD": "secret",
    "DOCKER_HOST": "unix:///nonexistent/docker.sock",
}


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_dry_run_every_shipped_spec(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process (nautilus is imported once for all specs): compile, build, connect nothing."""
    for name, value in DRY_ENV.items():
        monkeypatch.setenv(name, value)
    from runner.launch.run import RunOptions, run_spec
    from runner.loading.options import LoadOptions
    from runner.validation.pipeline import load_spec

    before = signal.getsignal(signal.SIGTERM)
    quiet = LoadOptions(sets=("node.logging.level=ERROR",))
    summary = run_spec(load_spec(path, quiet), RunOptions(dry_run=True))
    assert summary.dry_run
    assert "IBRUN-SUBSCRIBER" in summary.actors
    assert signal.getsignal(signal.SIGTERM) is before, "signal handlers must be restored"


def test_cli_dry_run_demo_imports_the_strategy() -> None:
    result = run(str(SPECS / "demo.yaml"), "--dry-run", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "node built (not started, nothing connected)" in result.stdout
    assert "strategies: DemoStrategy-000" in result.stdout
    assert "Connecting to" not in result.stdout, "a dry run must not connect"
    assert "Task was destroyed" not in result.stderr


def write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_unknown_strategy_module_exit_8(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """\
        version: 1
        gateway: {port: 4002}
        node:
          strategies:
            - path: no_such_pkg.strategies:Missing
        """,
    )
    result = run(spec, "--dry-run", timeout=60)
    assert result.returncode == 8, result.stderr
    assert "node.strategies[0].path" in result.stderr
    assert "'no_such_pkg.strategies'" in result.stderr
    assert "No module named 'no_such_pkg'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_gateway_exit_4_names_host_port(tmp_path: Path) -> None:
    port = free_port()
    spec = write(
        tmp_path,
        f"""\
        version: 1
        gateway: {{host: 127.0.0.1, port: {port}}}
        """,
    )
    started = time.monotonic()
    result = run(spec, timeout=60)
    assert result.returncode == 4, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
    assert "is TWS/Gateway running" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_handshake_timeout_exit_5(tmp_path: Path) -> None:
    with SilentServer() as server:
        spec = write(
            tmp_path,
            f"""\
            version: 1
            gateway: {{host: 127.0.0.1, port: {server.port}}}
            """,
        )
        result = run(spec, timeout=60)
    assert result.returncode == 5, result.stderr
    assert f"127.0.0.1:{server.port}" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_while_connecting_exits_130(tmp_path: Path, sig: signal.Signals) -> None:
    with SilentServer() as server:
        spec = write(
            tmp_path,
            f"""\
            version: 1
            gateway: {{host: 127.0.0.1, port: {server.port}}}
            """,
        )
        proc = spawn(spec)
        try:
            assert server.accepted.wait(60), "ibrun never connected"
            sent = time.monotonic()
            proc.send_signal(sig)
            _out, err = proc.communicate(timeout=15)
            elapsed = time.monotonic() - sent
        finally:
            kill_group(proc.pid)
    assert proc.returncode == 130, err
    assert elapsed <= 10
    assert "Traceback" not in err
    assert wait_group_gone(proc.pid) == []
