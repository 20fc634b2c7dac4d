"""The console entry and the CLI's one printer (`runner.cli.entry`, `runner.cli.app.main`): errors are
printed once, with their exit codes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runner.cli import app
from runner.errors import ImportFailed, Interrupted, SpecInvalid
from runner.launch import signals
from tests.launch.helpers import REPO

SPEC = """\
version: 1
trader_id: ENTRY-001
gateway: {host: 127.0.0.1, port: 4999}
instruments: {load_ids: [SPY.ARCA]}
exec: {client_id: 7, account_id: DU123456}
"""
IBRUN = str(Path(sys.executable).parent / "ibrun")


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return str(path)


def ibrun(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([IBRUN, *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)


def test_traceback_is_one_global_option_and_prints_once(tmp_path: Path) -> None:
    live = write(tmp_path, SPEC.replace("port: 4999", "port: 7496"))
    plain = ibrun("run", live)
    assert plain.returncode == 3, plain.stderr
    assert plain.stderr.count("refusing to trade live") == 1 and "Traceback" not in plain.stderr
    traced = ibrun("--traceback", "run", live)
    assert traced.returncode == 3, traced.stderr
    assert traced.stderr.count("Traceback (most recent call last)") == 1
    assert traced.stderr.count("refusing to trade live") == 2  # the exception line, then the message
    assert ibrun("run", live, "--traceback").returncode == 2  # one option, before the command


def test_spec_and_interlock_errors_come_before_nautilus_is_imported(tmp_path: Path) -> None:
    live = write(tmp_path, SPEC.replace("port: 4999", "port: 7496"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.replace("client_id: 7", "client_id: seven"))
    code = textwrap.dedent(
        """
        import sys
        from runner.cli.entry import main
        try:
            main(sys.argv[1:])
        except SystemExit as exit:
            print("exit", exit.code, "nautilus imported:", "nautilus_trader" in sys.modules)
        """
    )
    for path, status in ((live, 3), (str(bad), 1)):
        result = subprocess.run([sys.executable, "-c", code, "run", path], cwd=REPO, capture_output=True, text=True)
        assert result.stdout.strip() == f"exit {status} nautilus imported: False", result.stderr[-2000:]
    assert f"{bad}:5:" in result.stderr and "Traceback" not in result.stderr


def test_after_a_signal_any_failure_is_reported_as_the_interruption() -> None:
    # A Ctrl-C inside a C extension's import (numpy's) surfaces as an ImportError, which the
    # strategy check turns into ImportFailed: it must read as the interruption it is (exit 130).
    broken_off = ImportFailed("cannot import strategy module 'x': ImportError: PyCapsule_Import failed")
    stopped = Interrupted("stopped by SIGTERM; node stopped cleanly")
    signals.received[:] = []
    try:
        assert app.reported(broken_off) is broken_off
        signals.received[:] = ["SIGTERM"]
        assert str(app.reported(broken_off)) == "interrupted by SIGTERM; nothing left running"
        assert app.reported(broken_off).exit_code == 130
        assert app.reported(stopped) is stopped  # its own message is kept
        assert isinstance(app.reported(KeyError("x")), Interrupted)
    finally:
        signals.received[:] = []


def test_an_unexpected_exception_without_a_signal_is_a_bug_with_its_traceback() -> None:
    signals.received[:] = []
    with pytest.raises(KeyError):
        app.reported(KeyError("x"))
    assert app.reported(SpecInvalid([])).exit_code == 1
