"""A closed terminal (or a dropped SSH session) while `ibrun run` runs: SIGHUP, and a terminal that
answers every write with EIO. The run stops in order and leaves nothing behind; `nohup` still
keeps it running."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import pytest

from tests.launch.helpers import StreamWatcher, Terminal, children_of, ibrun_cmd, kill_group, spawn, wait_gone

pytestmark = pytest.mark.slow

SPEC = """\
    version: 1
    trader_id: HUP-TEST-001
    gateway:
      simulated: {tick_interval_ms: 100}
    instruments:
      load_ids: [EUR/USD.IDEALPRO]
    data:
      subscriptions:
        - {instrument: EUR/USD.IDEALPRO, quotes: true}
    node:
      logging: {level: INFO}
      timeouts: {connection: 20.0, disconnection: 3.0, post_stop: 0.5}
"""


def write(tmp_path: Path) -> str:
    path = tmp_path / "hup.yaml"
    path.write_text(textwrap.dedent(SPEC))
    return str(path)


@pytest.mark.parametrize("view", ["live", "logs"])
def test_closing_the_terminal_stops_the_run_and_leaves_nothing(tmp_path: Path, view: str) -> None:
    # "logs": the node's own console log (the Rust logger) writes to the terminal all along;
    # a write to a hung-up terminal used to abort the process (SIGABRT), skipping every clean-up.
    argv = ibrun_cmd(write(tmp_path)) + (["--no-status"] if view == "logs" else [])
    term = Terminal(argv)
    try:
        running = b"EUR/USD.IDEALPRO" if view == "live" else b"IBRUN-SUBSCRIBER: RUNNING"  # table or log
        assert term.wait_for(running, 60), term.text()[-3000:]
        simulators = children_of(term.proc.pid)
        assert simulators, "no simulated gateway"
        term.hang_up()
        term.proc.wait(20)
    finally:
        kill_group(term.proc.pid)
    assert term.proc.returncode == 130  # the orderly stop (its summary went to /dev/null)
    assert wait_gone([term.proc.pid, *simulators]) == []


def test_nohup_keeps_running_through_sighup(tmp_path: Path) -> None:
    proc = spawn(write(tmp_path), "--no-status", preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    out = StreamWatcher(proc.stdout)
    try:
        assert out.wait_for("IBRUN-SUBSCRIBER: RUNNING", 60), out.text()[-3000:]
        # Both pending at once are delivered lowest number first: a SIGHUP that counted would be
        # the stop reason.
        proc.send_signal(signal.SIGHUP)
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130
    assert "stopped: signal SIGTERM" in out.text()
