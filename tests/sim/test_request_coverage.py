"""Every request the simulator routes, sent by the official ibapi client at two versions: the
answer it expects arrives and nothing fails to parse (error 320). Historical requests differ per
call (ids feed the duration/count): an identical one within the pacing window would get 162. Adding a message to
`ClientMsg` without a route, or a route without a case here, fails `test_every_request_*`."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import ibapi.client
import ibapi.message
import ibapi.server_versions
import pytest
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi.order_cancel import OrderCancel
from ibapi_app import RecordingApp, contract

from runner.sim.handlers.routes import ROUTES
from runner.sim.protocol.messages import ClientMsg, ServerMsg, ServerVersion

AAPL = contract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")
EURUSD = contract(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO")
_IDS = itertools.count(1000)
_CLIENT_IDS = itertools.count(60)


def _order(action: str, order_type: str, **fields: object) -> Order:
    order = Order()
    order.action, order.totalQuantity, order.orderType = action, 1, order_type
    for key, value in fields.items():
        setattr(order, key, value)
    return order


def _place_and_cancel(app: RecordingApp) -> None:
    order_id = next(_IDS)
    app.placeOrder(order_id, AAPL, _order("BUY", "LMT", lmtPrice=1.0))
    app.wait_for(lambda e: any(s[0] == order_id for s in e["orderStatus"]))
    app.cancelOrder(order_id, OrderCancel())
    app.wait_for(lambda e: any(s[:2] == (order_id, "Cancelled") for s in e["orderStatus"]))


def _place(app: RecordingApp) -> None:
    order_id = next(_IDS)
    app.placeOrder(order_id, AAPL, _order("BUY", "MKT", orderRef=f"cov:{order_id}"))
    app.wait_for(lambda e: any(s[:2] == (order_id, "Filled") for s in e["orderStatus"]))


def _answered(event: str) -> Callable[[RecordingApp, Callable[[RecordingApp, int], None]], None]:
    def check(app: RecordingApp, send: Callable[[RecordingApp, int], None]) -> None:
        before = len(app.events[event])
        send(app, next(_IDS))
        app.wait_for(lambda e: len(e[event]) > before)

    return check


def _silent(app: RecordingApp, send: Callable[[RecordingApp, int], None]) -> None:
    send(app, next(_IDS))  # no reply: the barrier after it shows it was processed


# message → (how ibapi sends it, what shows it was answered)
CASES: dict[ClientMsg, tuple[Callable[[RecordingApp, int], None], Callable[..., None]]] = {
    ClientMsg.REQ_MKT_DATA: (lambda a, i: a.reqMktData(i, AAPL, "", False, False, []), _answered("tickPrice")),
    ClientMsg.CANCEL_MKT_DATA: (lambda a, i: a.cancelMktData(i), _silent),
    ClientMsg.REQ_MARKET_DATA_TYPE: (lambda a, i: a.reqMarketDataType(1), _silent),
    ClientMsg.REQ_TICK_BY_TICK_DATA: (
        lambda a, i: a.reqTickByTickData(i, AAPL, "BidAsk", 0, False),
        _answered("tbtBidAsk"),
    ),
    ClientMsg.CANCEL_TICK_BY_TICK_DATA: (lambda a, i: a.cancelTickByTickData(i), _silent),
    ClientMsg.REQ_MKT_DEPTH: (lambda a, i: a.reqMktDepth(i, AAPL, 3, True, []), _answered("depthL2")),
    ClientMsg.CANCEL_MKT_DEPTH: (lambda a, i: a.cancelMktDepth(i, True), _silent),
    ClientMsg.REQ_REAL_TIME_BARS: (lambda a, i: a.reqRealTimeBars(i, AAPL, 5, "MIDPOINT", False, []), _silent),
    ClientMsg.CANCEL_REAL_TIME_BARS: (lambda a, i: a.cancelRealTimeBars(i), _silent),
    ClientMsg.REQ_CONTRACT_DATA: (lambda a, i: a.reqContractDetails(i, AAPL), _answered("contractDetailsEnd")),
    ClientMsg.REQ_SEC_DEF_OPT_PARAMS: (
        lambda a, i: a.reqSecDefOptParams(i, "SPY", "", "STK", 756733),
        _answered("secDefEnd"),
    ),
    ClientMsg.REQ_HISTORICAL_DATA: (
        lambda a, i: a.reqHistoricalData(i, AAPL, "", f"{i} S", "1 min", "MIDPOINT", 0, 2, False, []),
        _answered("historicalDataEnd"),
    ),
    ClientMsg.CANCEL_HISTORICAL_DATA: (lambda a, i: a.cancelHistoricalData(i), _silent),
    ClientMsg.REQ_HISTORICAL_TICKS: (
        lambda a, i: a.reqHistoricalTicks(i, EURUSD, "", "", i % 100 + 1, "BID_ASK", 0, True, []),
        _answered("historicalTicksBidAsk"),
    ),
    ClientMsg.REQ_HEAD_TIMESTAMP: (
        lambda a, i: a.reqHeadTimeStamp(i, AAPL, "TRADES", 0, 1),
        _answered("headTimestamp"),
    ),
    ClientMsg.PLACE_ORDER: (lambda a, i: _place(a), _silent),
    ClientMsg.CANCEL_ORDER: (lambda a, i: _place_and_cancel(a), _silent),
    ClientMsg.REQ_GLOBAL_CANCEL: (lambda a, i: a.reqGlobalCancel(OrderCancel()), _silent),
    ClientMsg.REQ_OPEN_ORDERS: (lambda a, i: a.reqOpenOrders(), _answered("openOrderEnd")),
    ClientMsg.REQ_ALL_OPEN_ORDERS: (lambda a, i: a.reqAllOpenOrders(), _answered("openOrderEnd")),
    ClientMsg.REQ_AUTO_OPEN_ORDERS: (lambda a, i: a.reqAutoOpenOrders(True), _silent),
    ClientMsg.REQ_COMPLETED_ORDERS: (lambda a, i: a.reqCompletedOrders(False), _answered("completedOrdersEnd")),
    ClientMsg.REQ_EXECUTIONS: (lambda a, i: a.reqExecutions(i, ExecutionFilter()), _answered("execDetailsEnd")),
    ClientMsg.REQ_IDS: (lambda a, i: a.reqIds(-1), _answered("nextValidId")),
    ClientMsg.REQ_MANAGED_ACCTS: (lambda a, i: a.reqManagedAccts(), _answered("managedAccounts")),
    ClientMsg.REQ_FAMILY_CODES: (lambda a, i: a.reqFamilyCodes(), _answered("familyCodes")),
    ClientMsg.REQ_POSITIONS: (lambda a, i: a.reqPositions(), _answered("positionEnd")),
    ClientMsg.CANCEL_POSITIONS: (lambda a, i: a.cancelPositions(), _silent),
    ClientMsg.REQ_ACCOUNT_SUMMARY: (
        lambda a, i: a.reqAccountSummary(i, "All", "NetLiquidation,$LEDGER"),
        _answered("accountSummaryEnd"),
    ),
    ClientMsg.CANCEL_ACCOUNT_SUMMARY: (lambda a, i: a.cancelAccountSummary(i), _silent),
    ClientMsg.REQ_ACCT_DATA: (lambda a, i: a.reqAccountUpdates(True, "DU123456"), _answered("accountDownloadEnd")),
    ClientMsg.REQ_PNL: (lambda a, i: a.reqPnL(i, "DU123456", ""), _answered("pnl")),
    ClientMsg.CANCEL_PNL: (lambda a, i: a.cancelPnL(i), _silent),
    ClientMsg.REQ_PNL_SINGLE: (lambda a, i: a.reqPnLSingle(i, "DU123456", "", 265598), _answered("pnlSingle")),
    ClientMsg.CANCEL_PNL_SINGLE: (lambda a, i: a.cancelPnLSingle(i), _silent),
    ClientMsg.REQ_CURRENT_TIME: (lambda a, i: a.reqCurrentTime(), _answered("currentTime")),
    ClientMsg.REQ_CURRENT_TIME_IN_MILLIS: (lambda a, i: a.reqCurrentTimeInMillis(), _answered("currentTimeInMillis")),
    ClientMsg.REQ_MKT_DEPTH_EXCHANGES: (lambda a, i: a.reqMktDepthExchanges(), _answered("mktDepthExchanges")),
    ClientMsg.REQ_USER_INFO: (lambda a, i: a.reqUserInfo(i), _answered("userInfo")),
    ClientMsg.START_API: (lambda a, i: a.startApi(), _silent),
}
EXPECTED_ERRORS = {ClientMsg.CANCEL_ORDER: {202}, ClientMsg.REQ_GLOBAL_CANCEL: {202}}
CLIENT_SIDE_MINIMUM = {ClientMsg.REQ_CURRENT_TIME_IN_MILLIS: 197}  # ibapi refuses to send it below


def test_every_request_is_routed_and_covered():
    assert set(ROUTES) == set(ClientMsg) == set(CASES)


def test_message_ids_and_versions_are_ibapis():
    for ours, theirs in ((ClientMsg, ibapi.message.OUT), (ServerMsg, ibapi.message.IN)):
        assert {m.name: m.value for m in ours} == {m.name: getattr(theirs, m.name) for m in ours}
    assert {v.name: v.value for v in ServerVersion} == {
        v.name: getattr(ibapi.server_versions, f"MIN_SERVER_VER_{v.name}") for v in ServerVersion
    }


@pytest.fixture(scope="module", params=[(100, 223), (157, 178)], ids=["v200", "v178"])
def app(request, sim):
    low, high = request.param
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ibapi.client, "MIN_CLIENT_VER", low)
        patch.setattr(ibapi.client, "MAX_CLIENT_VER", high)
        client = RecordingApp().start(sim.port, next(_CLIENT_IDS))
    yield client
    client.stop()


@pytest.mark.parametrize("message", list(CASES), ids=[m.name for m in CASES])
def test_request_is_answered(app, message):
    if app.serverVersion() < CLIENT_SIDE_MINIMUM.get(message, 0):
        pytest.skip(f"ibapi does not send {message.name} at v{app.serverVersion()}")
    send, check = CASES[message]
    errors_before = len(app.events["error"])
    check(app, send)
    _answered("currentTime")(app, lambda a, i: a.reqCurrentTime())  # requests are served in order
    codes = {code for _, code, _ in app.events["error"][errors_before:]}
    assert codes <= EXPECTED_ERRORS.get(message, set()), app.events["error"][errors_before:]
