"""`ibrun run` in a real pseudo-terminal: Ctrl-C typed at the terminal, the live view."""

from __future__ import annotations

import json
import re
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.launch.helpers import Terminal, free_port, ibrun_cmd, kill_group

pytestmark = pytest.mark.slow

SPEC = """\
    version: 1
    trader_id: TTY-TEST-001
    gateway:
      simulated: {{tick_interval_ms: 100, market_hours: always_open}}
    instruments:
      load_ids: [AAPL.NASDAQ, EUR/USD.IDEALPRO]
    data:
      subscriptions:
        - {{instrument: EUR/USD.IDEALPRO, quotes: true}}
    exec:
      client_id: 2
      account_id: DU123456
    monitoring:
      listen: 127.0.0.1:{listen}
    node:
      timeouts: {{connection: 20.0, reconciliation: 5.0, disconnection: 3.0, post_stop: 0.5}}
      strategies:
        - path: examples.strategies.demo:DemoStrategy
          config: {{instrument_id: AAPL.NASDAQ, market_at: 1.0, limit_at: 2.0, modify_at: 900, cancel_at: 900,
                    close_at: 900, stop_after: 0}}
"""


def orders(listen: int) -> dict[str, int]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{listen}/readyz", timeout=2) as response:
            return json.loads(response.read())["orders"]
    except urllib.error.HTTPError as error:
        return json.loads(error.read())["orders"]
    except OSError:
        return {}


def test_ctrl_c_at_the_terminal_stops_the_node_before_the_simulator(tmp_path: Path) -> None:
    listen = free_port()
    spec = tmp_path / "tty.yaml"
    spec.write_text(textwrap.dedent(SPEC.format(listen=listen)))
    term = Terminal(ibrun_cmd(str(spec)))
    try:
        deadline = time.monotonic() + 60
        while orders(listen).get("OrderAccepted", 0) < 2:  # the market order, then the resting limit
            assert time.monotonic() < deadline and term.proc.poll() is None, term.text()[-3000:]
            time.sleep(0.1)
        term.type(b"\x03")  # ^C: the terminal sends SIGINT to its foreground process group
        term.proc.wait(30)
    finally:
        kill_group(term.proc.pid)
    out = term.text()
    assert term.proc.returncode == 130, out[-3000:]
    assert "stopped: signal SIGINT" in out
    # The strategy's on_stop cancelled the resting limit at a simulator that was still running.
    assert "canceled 1" in out and "filled 1" in out, out[-3000:]
    # No order went to a closed socket (ibapi's 504, as nautilus words it; a bare "504" also
    # matched a log timestamp's nanoseconds).
    assert not re.search(r"code: 504\b|\b504 for req_id|Not connected", out), out[-3000:]
    # The live view: no WARN lines for the informational farm codes, nothing past 80 columns.
    assert "farm connection is OK" not in out
    assert all(len(line) <= 80 for line in out.replace("\r", "\n").split("\n") if "\x1b" not in line)
