"""The `reconciliation_mismatch` alert end to end: a node holds a position, someone else trades
the same account (TWS by hand, another program), nautilus' periodic position check finds the
gateway's position differs from its own, and the alert reaches a local HTTP receiver."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ibapi.order import Order

from runner.sim.control import SimControl
from tests.launch.helpers import StreamWatcher, free_port, kill_group, spawn
from tests.monitoring.receiver import AlertReceiver
from tests.monitoring.test_run_monitoring import readyz, wait_until
from tests.sim.ibapi_app import RecordingApp, contract

pytestmark = pytest.mark.slow

SPEC = """\
    version: 1
    trader_id: RECON-TEST-001
    gateway:
      simulated: {{control_port: {control}, market_hours: always_open}}
    instruments:
      load_ids: [AAPL.NASDAQ]
    data:
      subscriptions:
        - {{instrument: AAPL.NASDAQ, quotes: true}}
    exec:
      account_id: DU123456
    node:
      exec_engine: {{position_check_interval_secs: 1}}
      strategies:
        - path: examples.strategies.resting:RestingOrderStrategy
          config: {{instrument_id: AAPL.NASDAQ, trade_size: 10}}
    monitoring:
      listen: 127.0.0.1:{listen}
      market_hours: always
    alerts:
      destinations:
        - {{url: "json://127.0.0.1:{receiver}/alerts", events: [reconciliation_mismatch]}}
"""
AAPL = contract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")


@pytest.fixture
def receiver() -> Any:
    with AlertReceiver() as server:
        yield server


def test_a_trade_by_someone_else_on_the_account_raises_the_mismatch_alert(
    tmp_path: Path, receiver: AlertReceiver
) -> None:
    control, listen = free_port(), free_port()
    spec = tmp_path / "recon.yaml"
    spec.write_text(textwrap.dedent(SPEC.format(control=control, listen=listen, receiver=receiver.port)))
    proc = spawn(str(spec), "--no-status")
    err = StreamWatcher(proc.stderr)
    base = f"http://127.0.0.1:{listen}"
    try:
        assert err.wait_for("monitoring on " + base, 60), err.text()[-3000:]
        wait_until(lambda: readyz(base)["orders"].get("OrderFilled", 0) >= 1, 60, "the strategy's fill")
        assert not receiver.titles()  # the node's own fill is no mismatch
        with SimControl(control) as sim:
            port = sim.status()["port"]
        _buy_elsewhere(port, quantity=5)
        assert receiver.wait_for("RECON-TEST-001: reconciliation mismatch", 30), err.text()[-3000:]
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err.text()[-3000:]
    messages = [post["message"] for post in receiver.posts]
    assert any(m.startswith("Position of AAPL.NASDAQ differs from the gateway's") for m in messages), messages


def _buy_elsewhere(port: int, quantity: int) -> None:
    """Another API client buys on the same account, as a trade in TWS would."""
    app = RecordingApp().start(port, 77)
    try:
        order = Order()
        order.action, order.totalQuantity, order.orderType, order.account = "BUY", quantity, "MKT", "DU123456"
        order_id = app.events["nextValidId"][-1][0]
        app.placeOrder(order_id, AAPL, order)
        app.wait_for(lambda e: any(s[:2] == (order_id, "Filled") for s in e["orderStatus"]), timeout=30)
    finally:
        app.stop()
