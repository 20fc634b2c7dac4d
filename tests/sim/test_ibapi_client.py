"""The official ibapi EClient/EWrapper against the simulator, at v200 and at v178."""

from __future__ import annotations

import itertools

import ibapi.client
import ibapi.order_cancel
import pytest
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi_app import RecordingApp, contract
from sim_settings import sim_config

from runner.sim.launcher import start_simulator

_CLIENT_IDS = itertools.count(20)
AAPL = dict(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")


@pytest.fixture(params=[(100, 223), (157, 178)], ids=["v100..223", "v157..178"])
def app(request, sim, monkeypatch):
    low, high = request.param
    monkeypatch.setattr(ibapi.client, "MIN_CLIENT_VER", low)
    monkeypatch.setattr(ibapi.client, "MAX_CLIENT_VER", high)
    client = RecordingApp().start(sim.port, next(_CLIENT_IDS))
    assert client.serverVersion() == min(high, 200)
    yield client
    client.stop()


def _order(action: str, qty: float, order_type: str, **fields) -> Order:
    order = Order()
    order.action, order.totalQuantity, order.orderType = action, qty, order_type
    for key, value in fields.items():
        setattr(order, key, value)
    return order


def test_contract_details_and_unknown_contract(app):
    app.reqContractDetails(1, contract(**AAPL))
    app.reqContractDetails(2, contract(secType="STK", symbol="NOPE", exchange="SMART"))
    app.wait_for(lambda e: e["contractDetailsEnd"] and any(x[0] == 2 for x in e["error"]))
    [(req_id, details)] = app.events["contractDetails"]
    assert req_id == 1 and details.contract.conId == 265598
    assert [tv.value for tv in details.secIdList] == ["US0378331005"]
    assert (2, 200) in [(x[0], x[1]) for x in app.events["error"]]


def test_market_data_live_and_delayed_request(app):
    app.reqMktData(3, contract(conId=265598, exchange="SMART"), "", False, False, [])
    app.wait_for(lambda e: len([t for t in e["tickPrice"] if t[0] == 3 and t[1] == 1]) >= 2)
    app.cancelMktData(3)
    # delayed requested, but the simulated account has live permissions: IB serves live data
    app.reqMarketDataType(3)
    app.reqMktData(4, contract(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO"), "", False, False, [])
    app.wait_for(lambda e: any(t[0] == 4 and t[1] == 1 for t in e["tickPrice"]))
    assert (4, 1) in app.events["marketDataType"]
    bids = [t[2] for t in app.events["tickPrice"] if t[0] == 4 and t[1] == 1]
    asks = [t[2] for t in app.events["tickPrice"] if t[0] == 4 and t[1] == 2]
    assert 0.9 < bids[0] < asks[0] < 1.3


def test_historical_bars(app):
    # distinct per parametrization: an identical request within seconds is a pacing violation
    bar_seconds = 3600 if app.serverVersion() == 200 else 1800
    size = "1 hour" if bar_seconds == 3600 else "30 mins"
    app.reqHistoricalData(5, contract(conId=265598, exchange="SMART"), "", "1 D", size, "TRADES", 0, 2, False, [])
    app.wait_for(lambda e: e["historicalDataEnd"])
    bars = [b for r, b in app.events["historicalData"] if r == 5]
    assert len(bars) in (86_400 // bar_seconds, 86_400 // bar_seconds + 1)
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
    times = [int(b.date) for b in bars]
    assert times == sorted(times) and times[1] - times[0] == bar_seconds


def test_market_order_fills_and_shows_in_positions_and_executions(app):
    app.reqIds(-1)
    order_id = app.wait_for(lambda e: len(e["nextValidId"]) >= 2 and e["nextValidId"][-1][0])
    app.placeOrder(order_id, contract(**AAPL), _order("BUY", 7, "MKT", orderRef="t:1"))
    app.wait_for(lambda e: any(s[0] == order_id and s[1] == "Filled" for s in e["orderStatus"]))
    execution = next(x[2] for x in app.events["execDetails"] if x[2].orderId == order_id)
    assert execution.orderRef == "t:1" and execution.side == "BOT"
    app.wait_for(lambda e: any(c[0].execId == execution.execId for c in e["commission"]))
    app.reqPositions()
    app.wait_for(lambda e: e["positionEnd"])
    sizes = {p[1].conId: p[2] for p in app.events["position"]}
    assert sizes[265598] >= 7
    app.reqExecutions(77, ExecutionFilter())
    app.wait_for(lambda e: (77,) in e["execDetailsEnd"])
    assert execution.execId in [x[2].execId for x in app.events["execDetails"] if x[0] == 77]


def test_limit_order_rests_then_modify_and_cancel(app):
    app.reqIds(-1)
    order_id = app.wait_for(lambda e: len(e["nextValidId"]) >= 2 and e["nextValidId"][-1][0])
    app.placeOrder(order_id, contract(**AAPL), _order("BUY", 5, "LMT", lmtPrice=1.0))
    app.wait_for(lambda e: any(s[0] == order_id and s[1] == "Submitted" for s in e["orderStatus"]))
    app.placeOrder(order_id, contract(**AAPL), _order("BUY", 6, "LMT", lmtPrice=2.0))
    app.wait_for(lambda e: any(o[0] == order_id and o[2].lmtPrice == 2.0 for o in e["openOrder"]))
    app.cancelOrder(order_id, ibapi.order_cancel.OrderCancel())
    app.wait_for(lambda e: any(x[0] == order_id and x[1] == 202 for x in e["error"]))
    assert any(s[0] == order_id and s[1] == "Cancelled" for s in app.events["orderStatus"])


def test_account_requests(app):
    tags = "NetLiquidation,TotalCashValue,FullAvailableFunds,FullInitMarginReq,FullMaintMarginReq"
    app.reqAccountSummary(8, "All", tags)
    app.wait_for(lambda e: e["accountSummaryEnd"])
    got = {row[2]: row for row in app.events["accountSummary"]}
    assert set(got) == set(tags.split(",")) and all(r[4] == "USD" for r in got.values())
    app.reqAccountUpdates(True, "DU123456")
    app.wait_for(lambda e: e["accountDownloadEnd"])
    keys = {v[0] for v in app.events["accountValue"]}
    assert {"NetLiquidation", "AvailableFunds", "CashBalance"} <= keys
    app.reqCurrentTime()
    app.reqPnL(9, "DU123456", "")
    app.reqCompletedOrders(False)
    app.reqOpenOrders()
    app.wait_for(lambda e: e["currentTime"] and e["pnl"] and e["completedOrdersEnd"] and e["openOrderEnd"])


def test_read_only_api_and_delayed_only_account():
    config = sim_config(read_only_api=True, live_data_permissions=False)
    with start_simulator(config) as restricted:
        app = RecordingApp().start(restricted.port, 1)
        try:
            app.placeOrder(1, contract(**AAPL), _order("BUY", 1, "MKT"))
            app.wait_for(lambda e: any(x[0] == 1 for x in e["error"] if x[1] == 321))
            assert not app.events["openOrder"]
            app.reqMarketDataType(4)
            app.reqMktData(2, contract(**AAPL), "", True, False, [])  # snapshot
            app.wait_for(lambda e: (2,) in e["tickSnapshotEnd"])
            assert (2, 4) in app.events["marketDataType"]
            types = {t[1] for t in app.events["tickPrice"] if t[0] == 2}
            assert {66, 67, 68} <= types and not types & {1, 2, 4}
        finally:
            app.stop()


def test_historical_pacing_violation_is_error_162(sim):
    app = RecordingApp().start(sim.port, next(_CLIENT_IDS))
    try:
        request = (contract(conId=272093, exchange="SMART"), "", "1800 S", "1 min", "TRADES", 0, 2, False, [])
        app.reqHistoricalData(40, *request)
        app.wait_for(lambda e: any(x[0] == 40 for x in e["historicalDataEnd"]))
        app.reqHistoricalData(41, *request)  # identical, within the (test) 2 s window
        app.wait_for(lambda e: any(x[0] == 41 and x[1] == 162 for x in e["error"]))
        assert not any(x[0] == 41 for x in app.events["historicalDataEnd"])
    finally:
        app.stop()
