"""`ibrun run` prepares the spec in a forked child (runner.cli.entry, runner.launch.handoff): the
same plan and errors as in-process, the child always reaped, and the process that runs the node
free of pydantic and the validator."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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
IBRUN = str(Path(sys.executable).parent / "ibrun")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def fresh(code: str) -> str:
    """Run ``code`` in a new interpreter: fork from a single-threaded process, as `ibrun` does
    (pytest's process has threads by now, and forking those can deadlock the child)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def test_the_childs_plan_equals_the_in_process_plan(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    out = fresh(
        f"""
        from pathlib import Path
        from runner.launch.handoff import Handoff, send_plan
        from runner.launch.plan import RunOptions
        from runner.launch.prepare import prepare_file
        from runner.loading.options import LoadOptions

        options = RunOptions(dry_run=True, environ={{}})
        plan = lambda: prepare_file(Path({str(path)!r}), LoadOptions(environ={{}}), options)
        with Handoff(lambda: send_plan(plan(), options, False)) as handoff:
            kind, (handed, _options, _traceback) = handoff.result()
        assert kind == "plan"
        assert handed == plan(), "the pickled plan differs from the one made in process"
        assert handed.probes[0].fields == "data.client_id and exec.client_id"
        assert handed.subscriptions[0].bars == ("1-MINUTE-LAST",)
        assert handed.components[0].config_path == "examples.strategies.demo:DemoStrategyConfig"
        print("ok")
        """
    )
    assert out == "ok"


def test_a_child_that_exits_early_answers_its_exit_code() -> None:
    out = fresh(
        """
        import sys
        from runner.launch.handoff import Handoff
        with Handoff(lambda: sys.exit(3)) as handoff:
            while not handoff.exited_early():
                pass
            print(handoff.result())
        """
    )
    assert out == "('exit', 3)"


def test_a_child_killed_before_answering_reports_its_signal() -> None:
    out = fresh(
        """
        import os
        from runner.launch.handoff import Handoff
        with Handoff(lambda: os.kill(os.getpid(), 9)) as handoff:
            print(handoff.result())
        """
    )
    assert out == "('exit', 137)"


def test_the_child_is_reaped_even_when_its_answer_is_never_read() -> None:
    out = fresh(
        """
        import os, time
        from runner.launch.handoff import Handoff
        with Handoff(lambda: time.sleep(30)) as handoff:
            pid = handoff._pid
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped")
        """
    )
    assert out == "reaped"


def test_live_interlock_and_spec_errors_are_reported_by_the_cli_with_their_exit_codes(tmp_path: Path) -> None:
    live = write(tmp_path, SPEC.replace("port: 4999", "port: 7496"))
    result = subprocess.run([IBRUN, "run", str(live)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("--confirm-live") == 1  # reported once, by one of the two processes
    bad = write(tmp_path, SPEC.replace("client_id: 7\n  subscriptions", "client_id: seven\n  subscriptions"))
    result = subprocess.run([IBRUN, str(bad)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"{bad}:6:" in result.stderr and "Traceback" not in result.stderr


def test_the_run_process_imports_neither_pydantic_nor_the_validator(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    code = textwrap.dedent(
        f"""
        import sys
        from runner.cli.entry import main
        try:
            main(["run", {str(path)!r}, "--dry-run", "--set", "node.logging.level=ERROR"])
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
        prefixes = ("pydantic", "runner.model", "runner.validation", "runner.loading", "yaml")
        print("LOADED", sorted(m for m in sys.modules if m.startswith(prefixes)))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "LOADED []" in result.stdout, result.stdout[-2000:]
    assert "ibrun dry run: PREP-001" in result.stdout


def test_a_failing_warm_import_does_not_break_the_run(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    out = fresh(
        f"""
        import runner.cli.entry as entry
        entry.WARM_IMPORTS = ("no_such_module_for_ibrun", *entry.WARM_IMPORTS)
        try:
            entry.main(["run", {str(path)!r}, "--dry-run", "--set", "node.logging.level=ERROR"])
        except SystemExit as exit:
            print("exit", exit.code)
        """
    )
    assert "ibrun dry run: PREP-001" in out and out.endswith("exit 0")
