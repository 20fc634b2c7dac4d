"""Every request the simulator routes, sent by the official ibapi client at two versions: the
answer it expects arrives and nothing fails to parse (error 320). Historical requests differ per
call (ids feed the duration/count): an identical one within the pacing window would get 162. Adding a message to
`ClientMsg` without a route, or a route without a case here, fails `test_every_request_*`."""

from __future__ import annotations

import inspect
import itertools
import re
import socket
import struct
import time
from collections.abc import Callable

import ibapi.client
import ibapi.message
import ibapi.server_versions
import pytest
from ibapi.common import WshEventData
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi.order_cancel import OrderCancel
from ibapi.scanner import ScannerSubscription
from ibapi_app import RecordingApp, contract

from runner.sim.handlers.routes import ROUTES
from runner.sim.protocol.messages import ClientMsg, ServerMsg, ServerVersion
from runner.sim.world.universe import build_universe

AAPL = contract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ", currency="USD")
EURUSD = contract(secType="CASH", symbol="EUR", currency="USD", exchange="IDEALPRO")
SPY_CALL = next(r for r in build_universe().by_sec_type["OPT"] if r.symbol == "SPY" and r.right == "C")
SPY_OPTION = contract(conId=SPY_CALL.conId, exchange="SMART")
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


def _scanner(rows: int = 5) -> ScannerSubscription:
    subscription = ScannerSubscription()
    subscription.instrument, subscription.locationCode = "STK", "STK.US.MAJOR"
    subscription.scanCode, subscription.numberOfRows = "TOP_PERC_GAIN", rows
    return subscription


def _wsh_event() -> WshEventData:
    data = WshEventData()
    data.conId = 265598
    return data


def _update_display_group(app: RecordingApp, req_id: int) -> None:
    app.subscribeToGroupEvents(req_id, 1)
    app.updateDisplayGroup(req_id, "265598@SMART")
    app.wait_for(lambda e: (req_id, "265598@SMART") in e["displayGroupUpdated"])


def _verifying(send: Callable[[RecordingApp], None]) -> Callable[[RecordingApp, int], None]:
    def verify(app: RecordingApp, req_id: int) -> None:
        app.extraAuth = True  # ibapi sends the verification requests only after asking for them
        try:
            send(app)
        finally:
            app.extraAuth = False

    return verify


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
    ClientMsg.REQ_POSITIONS_MULTI: (lambda a, i: a.reqPositionsMulti(i, "DU123456", ""), _answered("positionMultiEnd")),
    ClientMsg.CANCEL_POSITIONS_MULTI: (lambda a, i: a.cancelPositionsMulti(i), _silent),
    ClientMsg.REQ_ACCOUNT_UPDATES_MULTI: (
        lambda a, i: a.reqAccountUpdatesMulti(i, "DU123456", "", False),
        _answered("accountUpdateMultiEnd"),
    ),
    ClientMsg.CANCEL_ACCOUNT_UPDATES_MULTI: (lambda a, i: a.cancelAccountUpdatesMulti(i), _silent),
    ClientMsg.REQ_MATCHING_SYMBOLS: (lambda a, i: a.reqMatchingSymbols(i, "AA"), _answered("symbolSamples")),
    ClientMsg.REQ_MARKET_RULE: (lambda a, i: a.reqMarketRule(26), _answered("marketRule")),
    ClientMsg.REQ_SMART_COMPONENTS: (lambda a, i: a.reqSmartComponents(i, "9c0001"), _answered("smartComponents")),
    ClientMsg.REQ_SOFT_DOLLAR_TIERS: (lambda a, i: a.reqSoftDollarTiers(i), _answered("softDollarTiers")),
    ClientMsg.REQ_CALC_IMPLIED_VOLAT: (
        lambda a, i: a.calculateImpliedVolatility(i, SPY_OPTION, 5.0, 600.0, []),
        _answered("optionComputation"),
    ),
    ClientMsg.REQ_CALC_OPTION_PRICE: (
        lambda a, i: a.calculateOptionPrice(i, SPY_OPTION, 0.2, 600.0, []),
        _answered("optionComputation"),
    ),
    ClientMsg.CANCEL_CALC_IMPLIED_VOLAT: (lambda a, i: a.cancelCalculateImpliedVolatility(i), _silent),
    ClientMsg.CANCEL_CALC_OPTION_PRICE: (lambda a, i: a.cancelCalculateOptionPrice(i), _silent),
    ClientMsg.REQ_HISTOGRAM_DATA: (
        lambda a, i: a.reqHistogramData(i, AAPL, False, "1 day"),
        _answered("histogramData"),
    ),
    ClientMsg.CANCEL_HISTOGRAM_DATA: (lambda a, i: a.cancelHistogramData(i), _silent),
    ClientMsg.CANCEL_HEAD_TIMESTAMP: (lambda a, i: a.cancelHeadTimeStamp(i), _silent),
    ClientMsg.EXERCISE_OPTIONS: (
        lambda a, i: a.exerciseOptions(i, SPY_OPTION, 1, 1, "DU123456", 0, "", "", False),
        _answered("error"),
    ),
    ClientMsg.REQ_SCANNER_PARAMETERS: (lambda a, i: a.reqScannerParameters(), _answered("scannerParameters")),
    ClientMsg.REQ_SCANNER_SUBSCRIPTION: (
        lambda a, i: a.reqScannerSubscription(i, _scanner(), [], []),
        _answered("scannerDataEnd"),
    ),
    ClientMsg.CANCEL_SCANNER_SUBSCRIPTION: (lambda a, i: a.cancelScannerSubscription(i), _silent),
    ClientMsg.REQ_FUNDAMENTAL_DATA: (
        lambda a, i: a.reqFundamentalData(i, AAPL, "ReportSnapshot", []),
        _answered("error"),
    ),
    ClientMsg.CANCEL_FUNDAMENTAL_DATA: (lambda a, i: a.cancelFundamentalData(i), _silent),
    ClientMsg.REQ_NEWS_PROVIDERS: (lambda a, i: a.reqNewsProviders(), _answered("newsProviders")),
    ClientMsg.REQ_NEWS_ARTICLE: (lambda a, i: a.reqNewsArticle(i, "BRFG", "BRFG$1", []), _answered("error")),
    ClientMsg.REQ_HISTORICAL_NEWS: (
        lambda a, i: a.reqHistoricalNews(i, 265598, "BRFG+DJNL", "", "", 10, []),
        _answered("historicalNewsEnd"),
    ),
    ClientMsg.REQ_NEWS_BULLETINS: (lambda a, i: a.reqNewsBulletins(True), _silent),
    ClientMsg.CANCEL_NEWS_BULLETINS: (lambda a, i: a.cancelNewsBulletins(), _silent),
    ClientMsg.REQ_WSH_META_DATA: (lambda a, i: a.reqWshMetaData(i), _answered("error")),
    ClientMsg.CANCEL_WSH_META_DATA: (lambda a, i: a.cancelWshMetaData(i), _silent),
    ClientMsg.REQ_WSH_EVENT_DATA: (lambda a, i: a.reqWshEventData(i, _wsh_event()), _answered("error")),
    ClientMsg.CANCEL_WSH_EVENT_DATA: (lambda a, i: a.cancelWshEventData(i), _silent),
    ClientMsg.REQ_FA: (lambda a, i: a.requestFA(1), _answered("error")),
    ClientMsg.REPLACE_FA: (lambda a, i: a.replaceFA(i, 1, "<ListOfGroups/>"), _answered("error")),
    ClientMsg.QUERY_DISPLAY_GROUPS: (lambda a, i: a.queryDisplayGroups(i), _answered("displayGroupList")),
    ClientMsg.SUBSCRIBE_TO_GROUP_EVENTS: (
        lambda a, i: a.subscribeToGroupEvents(i, 1),
        _answered("displayGroupUpdated"),
    ),
    ClientMsg.UPDATE_DISPLAY_GROUP: (_update_display_group, _silent),
    ClientMsg.UNSUBSCRIBE_FROM_GROUP_EVENTS: (lambda a, i: a.unsubscribeFromGroupEvents(i), _silent),
    ClientMsg.VERIFY_REQUEST: (_verifying(lambda a: a.verifyRequest("ibrun", "1")), _answered("verifyCompleted")),
    ClientMsg.VERIFY_MESSAGE: (_verifying(lambda a: a.verifyMessage("data")), _answered("verifyCompleted")),
    ClientMsg.VERIFY_AND_AUTH_REQUEST: (
        _verifying(lambda a: a.verifyAndAuthRequest("ibrun", "1", "key")),
        _answered("verifyAndAuthCompleted"),
    ),
    ClientMsg.VERIFY_AND_AUTH_MESSAGE: (
        _verifying(lambda a: a.verifyAndAuthMessage("data", "response")),
        _answered("verifyAndAuthCompleted"),
    ),
    ClientMsg.SET_SERVER_LOGLEVEL: (lambda a, i: a.setServerLogLevel(5), _silent),
}
EXPECTED_ERRORS = {
    ClientMsg.CANCEL_ORDER: {202},
    ClientMsg.REQ_GLOBAL_CANCEL: {202},
    ClientMsg.EXERCISE_OPTIONS: {322},  # no position in the option
    ClientMsg.REQ_FUNDAMENTAL_DATA: {430},  # not available to the simulated account
    ClientMsg.REQ_NEWS_ARTICLE: {10276},
    ClientMsg.REQ_WSH_META_DATA: {10276},
    ClientMsg.REQ_WSH_EVENT_DATA: {10276},
    ClientMsg.REQ_FA: {321},  # not an advisor account
    ClientMsg.REPLACE_FA: {321},
}
CLIENT_SIDE_MINIMUM = {ClientMsg.REQ_CURRENT_TIME_IN_MILLIS: 197}  # ibapi refuses to send it below


def test_every_request_is_routed_and_covered():
    assert set(ROUTES) == set(ClientMsg) == set(CASES)


def _ibapi_sends_below_protobuf() -> set[int]:
    """Every message id ibapi's EClient writes with `sendMsg(OUT.X, ...)` and no requirement of a
    server version above 200 (those go protobuf-only: cancelContractData and later)."""
    source = inspect.getsource(ibapi.client.EClient)
    sent = set(re.findall(r"sendMsg\(\s*OUT\.([A-Z_]+)", source))
    beyond_text = {"CANCEL_CONTRACT_DATA", "CANCEL_HISTORICAL_TICKS", "REQ_CONFIG", "UPDATE_CONFIG"}
    return {getattr(ibapi.message.OUT, name) for name in sent - beyond_text}


def test_every_request_ibapi_can_send_is_routed():
    assert _ibapi_sends_below_protobuf() <= set(ROUTES)
    assert {ibapi.message.OUT.CANCEL_CONTRACT_DATA, ibapi.message.OUT.REQ_CONFIG} & set(ROUTES) == set()


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


def test_an_unknown_message_is_logged_at_warning(sim):
    with socket.create_connection(("127.0.0.1", sim.port), timeout=10) as raw:
        raw.sendall(b"API\0" + _frame(b"v157..200"))
        raw.recv(1024)  # the handshake reply
        raw.sendall(_frame(b"71\x002\x0077\x00\x00") + _frame(b"999\x001\x00"))
        deadline = time.monotonic() + 10
        while "unhandled message 999" not in sim.stderr_tail(200):
            assert time.monotonic() < deadline, sim.stderr_tail(20)
            time.sleep(0.05)  # polling the sim's log for the line
    assert "WARNING runner.sim: client 77: unhandled message 999" in sim.stderr_tail(200)


def _frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload
