"""Market hours and IB's data rules over TCP, through the official ibapi client, against a
simulator with exchange hours. Two extra instruments make the test independent of when it runs:
one whose only session starts two hours from now (closed now) and one trading around the clock."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import yaml
from ibapi.order import Order
from ibapi_app import RecordingApp, contract
from sim_settings import sim_config

from runner.ib.hours import parse_trading_hours
from runner.sim.launcher import start_simulator

_IDS = itertools.count(5000)
AAPL = contract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")
CLOSED = contract(conId=99_000_001, exchange="SMART")
OPEN = contract(conId=99_000_002, exchange="SMART")


def _universe(path) -> str:
    now = dt.datetime.now(dt.UTC)
    opens, closes = now + dt.timedelta(hours=2), now + dt.timedelta(hours=3)
    closed_session = f"{opens:%H%M}-{closes:%H%M}"
    common = {"secType": "STK", "primaryExchange": "NYSE", "timeZoneId": "UTC", "calendar": "24/7", "price": 50.0}
    data = {
        "instruments": [
            {**common, "symbol": "SHUT", "conId": 99_000_001, "isin": "US0000000011", "session": closed_session,
             "liquidSession": closed_session},
            {**common, "symbol": "LIVE", "conId": 99_000_002, "isin": "US0000000012", "session": "0000-2359",
             "liquidSession": "0000-2359"},
        ]
    }  # fmt: skip
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    universe = _universe(tmp_path_factory.mktemp("hours") / "universe.yaml")
    config = sim_config(market_hours="exchange", universe_files=(universe,), pacing=None)
    with start_simulator(config, startup_timeout=20) as sim:
        client = RecordingApp().start(sim.port, 1)
        yield client
        client.stop()


def _bars(app: RecordingApp, what: str, end: str, duration: str, size: str, rth: int) -> list:
    req_id = next(_IDS)
    app.reqHistoricalData(req_id, AAPL, end, duration, size, what, rth, 2, False, [])
    app.wait_for(lambda e: any(x[0] == req_id for x in e["historicalDataEnd"]))
    return [bar for r, bar in app.events["historicalData"] if r == req_id]


def _error(app: RecordingApp, req_id: int) -> tuple[int, str]:
    found = app.wait_for(lambda e: [(code, text) for r, code, text in e["error"] if r == req_id])
    return found[0]


def test_history_honours_regular_hours_and_weekends(app):
    regular = _bars(app, "TRADES", "20231106 16:30:00 US/Eastern", "6 D", "1 hour", 1)
    assert len(regular) == 4 * 7  # Nov 1, 2, 3, 6: 09:30 (half bar), 10:00 .. 15:00
    assert regular[0].date == str(int(dt.datetime(2023, 11, 1, 13, 30, tzinfo=dt.UTC).timestamp()))
    minutes = _bars(app, "MIDPOINT", "20231103 16:00:00 US/Eastern", "2 D", "1 min", 1)
    assert len(minutes) == 2 * 390
    weekend = _bars(app, "MIDPOINT", "20231105 23:00:00 US/Eastern", "2 D", "1 hour", 0)
    assert weekend == []  # Saturday and Sunday
    daily = _bars(app, "TRADES", "20231127 00:00:00 US/Eastern", "1 W", "1 day", 1)
    assert [b.date for b in daily] == ["20231120", "20231121", "20231122", "20231124"]  # no Thanksgiving


def test_ibs_data_rules(app):
    eur = contract(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO")
    req_id = next(_IDS)
    app.reqHistoricalData(req_id, eur, "20231106 16:00:00 US/Eastern", "1 D", "1 hour", "TRADES", 0, 2, False, [])
    assert _error(app, req_id)[0] == 162  # no trades for forex
    spx = contract(secType="IND", symbol="SPX", exchange="CBOE", currency="USD")
    req_id = next(_IDS)
    app.reqHistoricalTicks(req_id, spx, "20231106 10:00:00 US/Eastern", "", 10, "BID_ASK", 1, True, [])
    assert _error(app, req_id)[0] == 162  # no quotes for indices
    esm4 = contract(secType="FUT", localSymbol="ESM4", exchange="CME", currency="USD")
    req_id = next(_IDS)
    app.reqMktData(req_id, esm4, "", False, False, [])
    assert _error(app, req_id)[0] == 200  # expired June 2024
    req_id = next(_IDS)
    app.reqHistoricalData(req_id, AAPL, "20231106 16:00:00 US/Eastern", "1 W", "1 day", "SCHEDULE", 1, 2, False, [])
    _, tz, sessions = app.wait_for(lambda e: [x for x in e["historicalSchedule"] if x[0] == req_id])[0]
    assert tz == "US/Eastern" and ("20231103-09:30:00", "20231103-16:00:00", "20231103") in sessions


def test_a_closed_market_has_stale_quotes_and_holds_orders(app):
    req_id = next(_IDS)
    app.reqContractDetails(req_id, CLOSED)
    [(_, details)] = app.wait_for(lambda e: [x for x in e["contractDetails"] if x[0] == req_id])
    hours = parse_trading_hours(details.tradingHours, details.timeZoneId)
    assert hours.is_open(dt.datetime.now(dt.UTC)) is False
    closed_id, open_id = next(_IDS), next(_IDS)
    app.reqMktData(closed_id, CLOSED, "", False, False, [])
    app.reqMktData(open_id, OPEN, "", False, False, [])
    app.wait_for(lambda e: sum(1 for t in e["tickPrice"] if t[0] == closed_id) >= 2)  # the last bid and ask
    initial = sum(1 for t in app.events["tickPrice"] if t[0] == closed_id)
    app.wait_for(lambda e: sum(1 for t in e["tickPrice"] if t[0] == open_id) > 40, timeout=20)  # many clock ticks
    assert sum(1 for t in app.events["tickPrice"] if t[0] == closed_id) == initial  # nothing moved

    held, filled, ioc = next(_IDS), next(_IDS), next(_IDS)
    app.placeOrder(held, CLOSED, _order("MKT", "DAY"))
    app.placeOrder(ioc, CLOSED, _order("MKT", "IOC"))
    app.placeOrder(filled, OPEN, _order("MKT", "DAY"))
    app.wait_for(lambda e: any(s[:2] == (filled, "Filled") for s in e["orderStatus"]))
    app.wait_for(lambda e: any(s[:2] == (ioc, "Cancelled") for s in e["orderStatus"]))
    assert {s[1] for s in app.events["orderStatus"] if s[0] == held} == {"PreSubmitted"}
    code, text = _error(app, held)
    assert code == 399 and "will not be placed at the exchange until" in text


def _order(order_type: str, tif: str) -> Order:
    order = Order()
    order.action, order.totalQuantity, order.orderType, order.tif = "BUY", 10, order_type, tif
    return order
