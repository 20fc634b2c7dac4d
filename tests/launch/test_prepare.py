"""`ibrun run` prepares the spec in a forked child: the same plan and errors as in-process, the
child always reaped, and the parent process free of pydantic and the validator."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runner.errors import LiveNotConfirmed, NodeFailed, SpecInvalid
from runner.launch import prepare as prepare_module
from runner.launch.plan import RunOptions
from runner.launch.prepare import Preparation, prepare
from runner.options import LoadOptions
from runner.pipeline import load_spec
from tests.launch.helpers import REPO

SPEC = """\
version: 1
trader_id: PREP-001
gateway: {host: 127.0.0.1, port: 4999}
instruments: {load_ids: [SPY.ARCA, EUR/USD.IDEALPRO]}
data:
  client_id: 7
  subscriptions:
    - {instrument: SPY.ARCA, quotes: true, bars: [1-MINUTE-LAST]}
exec: {client_id: 7, account_id: DU123456}
node:
  strategies:
    - path: examples.strategies.demo:DemoStrategy
      config: {instrument_id: SPY.ARCA}
"""
DRY = RunOptions(dry_run=True, environ={})


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def in_child(path: Path, options: RunOptions = DRY) -> object:
    with Preparation(path, LoadOptions(environ={}), options) as preparation:
        return preparation.result()


def test_the_childs_plan_equals_the_in_process_plan(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    plan = in_child(path)
    assert plan == prepare(load_spec(path, LoadOptions(environ={})), DRY)
    assert plan.probes[0].fields == "data.client_id and exec.client_id"
    assert plan.subscriptions[0].bars == ("1-MINUTE-LAST",)
    assert plan.components[0].config_path == "examples.strategies.demo:DemoStrategyConfig"


def test_an_invalid_spec_raises_the_same_issues_in_the_parent(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC.replace("client_id: 7\n  subscriptions", "client_id: seven\n  subscriptions"))
    with pytest.raises(SpecInvalid) as expected:
        load_spec(path, LoadOptions(environ={}))
    with pytest.raises(SpecInvalid) as raised:
        in_child(path)
    assert raised.value.issues == expected.value.issues
    assert f"{path}:6:" in str(raised.value)


def test_the_live_interlock_refuses_in_the_child(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC.replace("port: 4999", "port: 7496"))
    with pytest.raises(LiveNotConfirmed, match="--confirm-live"):
        in_child(path, RunOptions(environ={}))
    assert in_child(path).notes == ("live trading: a real run needs --confirm-live",)  # a dry run only notes it


def test_a_crash_in_the_child_is_reported_with_its_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(prepare_module, "prepare_file", broken)  # the forked child inherits it
    with pytest.raises(NodeFailed, match="RuntimeError: boom") as raised:
        in_child(write(tmp_path, SPEC))
    assert "Traceback" in "".join(raised.value.__notes__)


def test_the_child_is_reaped_even_when_its_answer_is_never_read(tmp_path: Path) -> None:
    with Preparation(write(tmp_path, SPEC), LoadOptions(environ={}), DRY) as preparation:
        pid = preparation._pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_the_run_process_imports_neither_pydantic_nor_the_validator(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    code = textwrap.dedent(
        f"""
        import sys
        from runner.cli import main
        sys.argv[1:] = ["run", {str(path)!r}, "--dry-run", "--set", "node.logging.level=ERROR"]
        try:
            main()
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
        prefixes = ("pydantic", "runner.model", "runner.pipeline", "runner.validation", "runner.loading", "yaml")
        print("LOADED", sorted(m for m in sys.modules if m.startswith(prefixes)))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LOADED []" in result.stdout, result.stdout[-2000:]
    assert "ibrun dry run: PREP-001" in result.stdout
