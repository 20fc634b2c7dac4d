"""The simulated gateway ibrun started dies (SIGKILL) while the node runs: the run stops with a
clear error and exit code 15, no traceback, nothing left running (issue 10). Before, nautilus
retried every 5 s with a traceback each time and, without --duration, ibrun ran forever."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from runner.errors import ExitCode
from tests.launch.helpers import StreamWatcher, kill_group, spawn, wait_group_gone
from tests.launch.test_run_sim import simulators_of, write

pytestmark = pytest.mark.slow


def test_a_killed_simulator_stops_the_run_with_exit_15(tmp_path: Path) -> None:
    proc = spawn(write(tmp_path))  # no --duration: before, this ran forever
    err = StreamWatcher(proc.stderr)
    try:
        assert err.wait_for("ibrun: 0s instruments=2", 60), err.text()[-3000:]
        [sim_pid] = simulators_of(proc.pid)
        os.kill(sim_pid, signal.SIGKILL)
        out = proc.stdout.read()
        proc.wait(30)
    finally:
        kill_group(proc.pid)
    stderr = err.text()
    assert proc.returncode == ExitCode.GATEWAY_DIED == 15, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: the simulated gateway (127.0.0.1:"), last
    assert f"pid {sim_pid}) killed by SIGKILL while the node was running; the node was stopped" in last
    assert "Traceback" not in stderr and "Traceback" not in out
    assert wait_group_gone(proc.pid) == []
    assert not Path(f"/proc/{sim_pid}").exists() or "Z" in Path(f"/proc/{sim_pid}/stat").read_text().split()[2]
