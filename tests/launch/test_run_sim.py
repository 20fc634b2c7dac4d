"""`ibrun run` against the built-in simulator: running, stopping, failing, the demo."""

from __future__ import annotations

import re
import signal
import textwrap
import time
from pathlib import Path

import pytest

from tests.launch.helpers import (
    StreamWatcher,
    children_of,
    kill_group,
    run,
    spawn,
    wait_gone,
    wait_group_gone,
)

pytestmark = pytest.mark.slow
# SIGHUP is what a closed terminal or a dropped SSH session sends: stopped like the others.
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
NAMES = [sig.name for sig in SIGNALS]

DATA_ONLY = """\
    version: 1
    trader_id: SIM-TEST-001
    gateway:
      simulated: {{tick_interval_ms: 100, market_hours: always_open}}
    instruments:
      load_ids: [{load_ids}]
    data:
      subscriptions:
        - {{instrument: SPY.ARCA, quotes: true, trades: true}}
        - {{instrument: EUR/USD.IDEALPRO, quotes: true}}
    node:
      timeouts: {{connection: 20.0, disconnection: 3.0, post_stop: 0.5}}
{extra}"""


def write(tmp_path: Path, load_ids: str = "SPY.ARCA, EUR/USD.IDEALPRO", extra: str = "") -> str:
    path = tmp_path / "sim.yaml"
    path.write_text(textwrap.dedent(DATA_ONLY.format(load_ids=load_ids, extra=extra)))
    return str(path)


def test_duration_streams_and_summarizes(tmp_path: Path) -> None:
    result = run(write(tmp_path), "--duration", "3", timeout=90)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "stopped: --duration 3s elapsed" in out
    assert "instruments loaded: 2 (EUR/USD.IDEALPRO, SPY.ARCA)" in out
    quotes = int(re.search(r"received: quotes=(\d+) trades=(\d+)", out).group(1))
    assert quotes > 0


@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_signal_while_running_exits_130_no_orphans(tmp_path: Path, sig: signal.Signals) -> None:
    proc = spawn(write(tmp_path))
    err = StreamWatcher(proc.stderr)
    try:
        assert err.wait_for("ibrun: 0s instruments=2", 60), err.text()[-3000:]
        simulators = simulators_of(proc.pid)
        sent = time.monotonic()
        proc.send_signal(sig)
        out = proc.stdout.read()
        proc.wait(15)
        elapsed = time.monotonic() - sent
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err.text()[-3000:]
    assert elapsed <= 10
    assert f"stopped: signal {sig.name}" in out  # the summary
    assert "instruments loaded: 2" in out
    assert f"error: stopped by {sig.name}; node stopped cleanly" in err.text()
    assert wait_group_gone(proc.pid) == []
    assert simulators and wait_gone(simulators) == []  # in a session of its own: not in the group


def simulators_of(pid: int) -> list[int]:
    return [child for child in children_of(pid) if b"runner.sim" in _cmdline(child)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


BLOCKING_STRATEGY = """\
import pathlib
import time

pathlib.Path({marker!r}).write_text("importing")  # the phase has begun: the test signals now
time.sleep(60)
"""


@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_signal_while_importing_strategies_exits_130_and_starts_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    # The spec is valid, so ibrun goes on to import its strategy (before any gateway starts):
    # that module announces itself in a marker file, then blocks until the signal arrives.
    marker = tmp_path / "importing"
    (tmp_path / "blocking_strategy.py").write_text(BLOCKING_STRATEGY.format(marker=str(marker)))
    extra = """\
      strategies:
        - path: blocking_strategy:BlockingStrategy
"""
    proc = spawn(write(tmp_path, extra=extra))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists(), "ibrun never imported the strategy"
        sent = time.monotonic()
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=15)
        elapsed = time.monotonic() - sent
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err[-3000:]
    assert elapsed <= 10 and "Traceback" not in err
    assert f"interrupted by {sig.name}; nothing left running" in err
    assert "simulated gateway listening" not in err
    assert wait_group_gone(proc.pid) == []


LOST_INTERRUPT_STRATEGY = """\
import os
import signal

from nautilus_trader.config import StrategyConfig
from nautilus_trader.trading.strategy import Strategy


class Finalized:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.{sig})  # the KeyboardInterrupt it raises here is lost


Finalized()


class FinalizingStrategyConfig(StrategyConfig, frozen=True):
    pass


class FinalizingStrategy(Strategy):
    pass
"""


@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_a_signal_whose_interrupt_is_lost_still_stops_the_run(tmp_path: Path, sig: signal.Signals) -> None:
    # Python cannot raise out of __del__ or a weakref callback (imports run those all the time):
    # it prints "Exception ignored" and goes on. The next stage boundary stops the run instead.
    (tmp_path / "finalizing_strategy.py").write_text(LOST_INTERRUPT_STRATEGY.format(sig=sig.name))
    extra = """\
      strategies:
        - path: finalizing_strategy:FinalizingStrategy
"""
    result = run(write(tmp_path, extra=extra), timeout=90)
    assert result.returncode == 130, result.stderr[-3000:]
    assert result.stderr.strip().endswith(f"error: interrupted by {sig.name}; nothing left running")
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "simulated gateway listening" not in result.stderr


@pytest.mark.parametrize("sig", SIGNALS, ids=NAMES)
def test_signal_while_starting_the_simulator(tmp_path: Path, sig: signal.Signals) -> None:
    proc = spawn(write(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not simulators_of(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        simulators = simulators_of(proc.pid)
        assert simulators, "the simulator was never started"
        sent = time.monotonic()
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=15)
        elapsed = time.monotonic() - sent
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err[-3000:]
    assert elapsed <= 10 and "Traceback" not in err
    assert wait_group_gone(proc.pid) == []
    assert wait_gone(simulators) == []


def test_strategy_raising_in_on_start_fails_the_run(tmp_path: Path) -> None:
    extra = """\
      strategies:
        - path: examples.strategies.demo:DemoStrategy
          config: {instrument_id: SPY.ARCA, fail_on_start: true}
"""
    result = run(write(tmp_path, extra=extra), timeout=90)
    assert result.returncode == 11, result.stderr[-3000:]
    assert "DemoStrategy-000.on_start" in result.stderr
    assert "fail_on_start: true" in result.stderr


def test_unknown_load_id_is_instrument_not_found(tmp_path: Path) -> None:
    result = run(write(tmp_path, load_ids="SPY.ARCA, EUR/USD.IDEALPRO, NOPE.NASDAQ"), timeout=90)
    assert result.returncode == 9, result.stderr[-3000:]
    assert "NOPE.NASDAQ" in result.stderr
    assert "error 200" in result.stderr


def test_demo_end_to_end() -> None:
    started = time.monotonic()
    result = run("specs/demo.yaml", timeout=150)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "stopped: shutdown requested by DemoStrategy-000: demo finished" in out
    assert "instruments loaded: 3 (AAPL.NASDAQ, EUR/USD.IDEALPRO, SPY.ARCA)" in out
    assert re.search(r"orders: 3 \(canceled 1, filled 2\); fills: 2", out), out[-2000:]
    assert "position: AAPL.NASDAQ FLAT 0" in out
    assert time.monotonic() - started < 150
