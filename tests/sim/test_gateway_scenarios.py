"""The scenarios real gateways produce, driven through the control port and seen by the official
ibapi client: the daily restart, the weekly re-login, a silent stall, timed farm/connectivity codes."""

from __future__ import annotations

import socket
import time

import pytest
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi_app import RecordingApp, contract
from sim_settings import sim_config

from runner.sim.control import SimControl
from runner.sim.launcher import start_simulator
from runner.sim.protocol.messages import ClientMsg

AAPL = dict(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")
EURUSD = dict(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO")
PLACE_ORDER = str(int(ClientMsg.PLACE_ORDER))


@pytest.fixture
def sim():
    process = start_simulator(sim_config(), startup_timeout=20)
    yield process
    process.stop()


@pytest.fixture
def control(sim):
    with SimControl(sim.control_port) as client:
        yield client


def _order(action: str, qty: float, order_type: str, **fields: object) -> Order:
    order = Order()
    order.action, order.totalQuantity, order.orderType = action, qty, order_type
    for key, value in fields.items():
        setattr(order, key, value)
    return order


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def wait_phase(control: SimControl, phase: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while (report := control.call("gateway"))["phase"] != phase:
        assert time.monotonic() < deadline, f"gateway never reached {phase}: {report}"
        time.sleep(0.02)
    return report


class ClosingApp(RecordingApp):
    def connectionClosed(self):
        self.record("connectionClosed")


def test_weekly_relogin_refuses_until_2fa_then_the_state_is_kept(sim, control):
    app = ClosingApp().start(sim.port, 31)
    first_id = app.events["nextValidId"][0][0]
    app.placeOrder(first_id, contract(**AAPL), _order("BUY", 3, "MKT", orderRef="kept:1"))
    app.placeOrder(first_id + 1, contract(**AAPL), _order("BUY", 2, "LMT", lmtPrice=1.0, orderRef="kept:2"))
    app.wait_for(lambda e: any(s[0] == first_id and s[1] == "Filled" for s in e["orderStatus"]))
    app.wait_for(lambda e: any(s[0] == first_id + 1 and s[1] == "Submitted" for s in e["orderStatus"]))
    placed = control.call("requests")["counts"][PLACE_ORDER]

    reply = control.call("restart", seconds=0, relogin=True)
    assert reply["cut"] == 1 and reply["login_pending"] is True
    app.wait_for(lambda e: e["connectionClosed"])
    assert wait_phase(control, "login_required")["restarts"] == 1
    assert refused(sim.port)
    assert control.status()["sessions"] == []
    with pytest.raises(RuntimeError, match="already down"):
        control.call("restart", seconds=1)

    control.call("complete_2fa")
    back = wait_phase(control, "up")
    assert back["logins"] == 1 and back["back_at"] >= reply["down_since"]
    with pytest.raises(RuntimeError, match="no login is pending"):
        control.call("complete_2fa")
    app.stop()

    again = ClosingApp().start(sim.port, 31)  # the same client id: the old session is gone
    try:
        assert again.events["nextValidId"][0][0] > first_id + 1
        again.reqOpenOrders()
        again.wait_for(lambda e: e["openOrderEnd"])
        assert [o[0] for o in again.events["openOrder"]] == [first_id + 1]
        again.reqPositions()
        again.wait_for(lambda e: e["positionEnd"])
        assert [(p[1].symbol, p[2]) for p in again.events["position"]] == [("AAPL", 3)]
        again.reqExecutions(7, ExecutionFilter())
        again.wait_for(lambda e: e["execDetailsEnd"])
        assert [x[2].orderRef for x in again.events["execDetails"]] == ["kept:1"]
    finally:
        again.stop()
    assert control.call("requests")["counts"][PLACE_ORDER] == placed


def test_daily_restart_is_down_for_its_window_then_accepts_again(sim, control):
    app = ClosingApp().start(sim.port, 32)
    reply = control.call("restart", seconds=2)
    assert reply["phase"] == "restarting" and reply["login_pending"] is False
    assert refused(sim.port)
    app.wait_for(lambda e: e["connectionClosed"])
    back = wait_phase(control, "up")
    assert back["back_at"] - reply["down_since"] >= 2.0
    app.stop()
    again = RecordingApp().start(sim.port, 32)
    again.reqMktData(1, contract(**EURUSD), "", False, False, [])
    again.wait_for(lambda e: any(t[0] == 1 for t in e["tickPrice"]))  # the market clock runs again
    # farm status on connect, as after any gateway start
    assert {2104, 2106, 2158} <= {x[1] for x in again.events["error"]}
    again.stop()


def test_a_stalled_subscription_is_silent_without_an_error_until_requested_again(sim, control):
    app = RecordingApp().start(sim.port, 33)
    try:
        app.reqMktData(5, contract(**AAPL), "", False, False, [])
        app.reqMktData(6, contract(**EURUSD), "", False, False, [])
        app.wait_for(lambda e: {5, 6} <= {t[0] for t in e["tickPrice"]})
        [stalled] = control.call("stall", localSymbol="AAPL", client_id=33)["stalled"]
        assert stalled == {"client_id": 33, "kind": "mkt_data", "req_id": 5, "conId": 265598, "localSymbol": "AAPL"}
        seen = _count(app, 5)
        others = _count(app, 6)
        app.wait_for(lambda e: _count(app, 6) >= others + 10)  # the other stream goes on meanwhile
        assert _count(app, 5) == seen
        assert [x for x in app.events["error"] if x[0] == 5] == []
        assert control.call("gateway")["stalled"] == [stalled]

        app.cancelMktData(5)  # a re-subscription cures it
        app.reqMktData(5, contract(**AAPL), "", False, False, [])
        app.wait_for(lambda e: _count(app, 5) > seen)
        assert control.call("gateway")["stalled"] == []  # cured

        control.call("stall", req_id=6)
        assert control.call("unstall")["resumed"][0]["req_id"] == 6  # 5 was requested anew: not put back
        after = _count(app, 6)
        app.wait_for(lambda e: _count(app, 6) > after)
        with pytest.raises(RuntimeError, match="no streaming subscription matches"):
            control.call("stall", localSymbol="NOPE")
    finally:
        app.stop()


def _count(app: RecordingApp, req_id: int) -> int:
    with app.cond:
        return sum(1 for t in app.events["tickPrice"] if t[0] == req_id)


def test_timed_farm_and_connectivity_codes_arrive_in_order(sim, control):
    app = RecordingApp().start(sim.port, 34)
    try:
        start = len(app.events["error"])
        assert control.call("flap", kind="market", down_ms=100)["scheduled"] == 2
        app.wait_for(lambda e: 2104 in [x[1] for x in e["error"][start:]])
        assert [x[1] for x in app.events["error"][start:]] == [2103, 2104]

        start = len(app.events["error"])
        steps = [
            {"after_ms": 300, "cmd": "connectivity_restored", "data_lost": True},
            {"after_ms": 0, "cmd": "farm", "kind": "secdef", "up": False},
            {"after_ms": 100, "cmd": "farm", "kind": "secdef", "up": True},
            {"after_ms": 150, "cmd": "connectivity_lost"},
        ]
        control.call("sequence", steps=steps)
        app.wait_for(lambda e: 1101 in [x[1] for x in e["error"][start:]])
        assert [x[1] for x in app.events["error"][start:]] == [2157, 2158, 1100, 1101]

        start = len(app.events["error"])
        control.call("flap", kind="hmds", down_ms=0)
        control.call("flap", kind="connectivity", down_ms=50)
        app.wait_for(lambda e: {2106, 1102} <= {x[1] for x in e["error"][start:]})
        with pytest.raises(RuntimeError, match="known cmd"):
            control.call("sequence", steps=[{"cmd": "nope"}])
        with pytest.raises(RuntimeError, match="kind must be one of"):
            control.call("flap", kind="power")
    finally:
        app.stop()
