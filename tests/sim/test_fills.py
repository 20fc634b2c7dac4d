"""Orders closer to IB over TCP: a market order larger than the displayed size fills in parts,
orderStatus carries filled/remaining/avgFillPrice as IB's does, commissions follow the tiers."""

from __future__ import annotations

import pytest
from ibapi.order import Order
from ibapi_app import RecordingApp, contract

AAPL = contract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")
SIZE = 5000  # the simulated AAPL ask shows 300..1000 shares


@pytest.fixture(scope="module")
def app(sim):
    client = RecordingApp().start(sim.port, 31)
    yield client
    client.stop()


def test_a_large_market_order_fills_in_parts(app):
    order = Order()
    order.action, order.totalQuantity, order.orderType = "BUY", SIZE, "MKT"
    order_id = 900
    app.placeOrder(order_id, AAPL, order)
    app.wait_for(lambda e: any(s[:2] == (order_id, "Filled") for s in e["orderStatus"]), timeout=30)
    executions = [x[2] for x in app.events["execDetails"] if x[2].orderId == order_id]
    assert len(executions) >= 2, "expected partial fills"
    assert sum(e.shares for e in executions) == SIZE
    statuses = [s for s in app.events["orderStatus"] if s[0] == order_id]
    assert statuses[0][1] in ("PreSubmitted", "Submitted") and statuses[0][2] == 0
    for _, status, filled, remaining, _ in statuses:
        assert filled + remaining == SIZE
        assert status == ("Filled" if remaining == 0 else status)
    fills = [s for s in statuses if s[2] > 0]
    assert [s[2] for s in fills] == sorted(s[2] for s in fills)  # filled only grows
    assert any(s[1] == "Submitted" and 0 < s[2] < SIZE for s in fills)  # partially filled, still working
    average = sum(float(e.shares) * e.price for e in executions) / SIZE
    assert fills[-1][4] == pytest.approx(average, abs=1e-6)
    assert [e.cumQty for e in executions] == sorted(e.cumQty for e in executions)

    exec_ids = {e.execId for e in executions}
    app.wait_for(lambda e: exec_ids <= {r[0].execId for r in e["commission"]})
    commissions = [r[0].commissionAndFees for r in app.events["commission"] if r[0].execId in exec_ids]
    # tiered: 0.0035 per share (this month's volume is under 300,000) + 0.0030 exchange + 0.0002 clearing
    assert sum(commissions) == pytest.approx(SIZE * 0.0067, abs=0.01)
