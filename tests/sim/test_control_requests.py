"""The control port's request counts and the reply delay, seen by the official ibapi client."""

from __future__ import annotations

from ibapi_app import RecordingApp, contract

SYMBOLS = ["AAPL", "MSFT", "SPY", "QQQ", "TSLA"]


def test_counts_requests_and_delayed_replies_keep_their_order(sim, control):
    control.call("requests", reset=True)
    control.call("delay", ms=150)
    app = RecordingApp().start(sim.port, 61)
    try:
        for req_id, symbol in enumerate(SYMBOLS, start=1):
            app.reqContractDetails(req_id, contract(secType="STK", symbol=symbol, exchange="SMART", currency="USD"))
        app.wait_for(lambda e: len(e["contractDetailsEnd"]) == len(SYMBOLS))
    finally:
        control.call("delay", ms=0)
        app.stop()
    assert [req_id for (req_id,) in app.events["contractDetailsEnd"]] == [1, 2, 3, 4, 5]
    counts = control.call("requests", reset=True)["counts"]
    assert counts["9"] == len(SYMBOLS)  # 9: reqContractDetails
    assert control.call("requests")["counts"] == {}
