"""nautilus' HistoricInteractiveBrokersClient: instruments, bars and ticks from the simulator.
Runs in a child process: the client initialises nautilus logging, once per process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_instruments_bars_and_ticks(sim):
    probe = Path(__file__).with_name("historic_probe.py")
    done = subprocess.run([sys.executable, str(probe), str(sim.port)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["instruments"] == ["AAPL.NASDAQ", "EUR/USD.IDEALPRO"]
    assert 23 <= result["bars"]["1-HOUR"] <= 25 and 280 <= result["bars"]["5-MINUTE"] <= 289
    assert result["bars_ok"]
    lo, hi = result["window"]
    trades = result["trade_ts"]
    assert 100 <= len(trades) <= 600  # ~60 % of the 600 seconds carry a trade
    assert all(lo <= ts <= hi for ts in trades) and trades == sorted(trades)
    assert result["quote_count"] == 150 and result["quotes_ok"]  # the limit is honoured
