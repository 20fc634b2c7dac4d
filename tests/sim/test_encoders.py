"""Every server→client message decodes with the official ibapi Decoder at each supported
server version, consuming exactly the fields we wrote (a layout error shifts or leaves fields)."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal

import pytest
from ibapi import comm
from ibapi.decoder import Decoder

from runner.ib.error_codes import ErrorCode
from runner.ib.hours import parse_trading_hours
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import encoders_account as aenc
from runner.sim.protocol import encoders_more as menc
from runner.sim.protocol import encoders_orders as oenc
from runner.sim.world.account import Execution
from runner.sim.world.events import OrderCancelled, OrderFilled, OrderRejected, OrderUpdated
from runner.sim.world.market import Bar, Quote
from runner.sim.world.orders import SimOrder
from runner.sim.world.sessions import MarketHours
from runner.sim.world.universe import ContractQuery, build_universe

VERSIONS = [157, 162, 163, 164, 170, 176, 177, 178, 183, 187, 193, 194, 195, 196, 198, 200]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def __getattr__(self, name):
        def record(*args):
            self.calls.append((name, args))

        return record


def decode(frame: bytes, version: int) -> list[tuple[str, tuple]]:
    (size,) = struct.unpack(">I", frame[:4])
    assert size == len(frame) - 4
    text = frame[4:]
    msg_id = int(text[: text.index(b"\0")])
    fields = comm.read_fields(text[text.index(b"\0") + 1 :])
    recorder = Recorder()
    decoder = Decoder(recorder, version)
    info = decoder.msgId2handleInfo[msg_id]
    if info.processMeth is not None:
        it = iter(fields)
        info.processMeth(decoder, it)
        assert list(it) == [], f"msg {msg_id} left fields unread at v{version}"
    else:
        decoder.interpretWithSignature(fields, info)
    assert recorder.calls, f"msg {msg_id} produced no callback at v{version}"
    return recorder.calls


@pytest.fixture(scope="module")
def universe():
    return build_universe(today=dt.date(2026, 11, 23))


def one(universe, **query):
    [record] = universe.match(ContractQuery(**query))
    return record


def sample_order(record) -> SimOrder:
    order = SimOrder(
        order_id=7,
        client_id=3,
        perm_id=123456,
        account="DU123456",
        record=record,
        action="BUY",
        total_qty=10,
        order_type="TRAIL LIMIT",
        lmt_price=None,
        aux_price=1.5,
        tif="GTC",
        order_ref="O-1:7",
        trail_stop_price=229.0,
        lmt_price_offset=0.1,
    )
    order.ib_status, order.filled, order.completed_status = "Submitted", 4, "Cancelled"
    return order


HOURS = ("20240102:0930-20240102:1600", "20240102:0930-20240102:1600")


@pytest.mark.parametrize("version", VERSIONS)
def test_contract_data_every_asset_class(universe, version):
    hours = MarketHours(always_open=False)
    today = dt.date(2024, 1, 2)
    queries = [
        dict(secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ"),
        dict(secType="CASH", localSymbol="EUR.USD"),
        dict(secType="FUT", localSymbol="ESM4"),
        dict(secType="CRYPTO", localSymbol="BTC.USD"),
        dict(secType="IND", symbol="SPX"),
        dict(secType="CFD", symbol="IBUS30"),
        dict(secType="CMDTY", symbol="XAUUSD"),
    ]
    for query in queries:
        record = one(universe, **query)
        texts = hours.contract_hours(record, today)
        [(name, (req_id, details))] = decode(enc.contract_data(version, 5, record, texts), version)
        assert (name, req_id) == ("contractDetails", 5)
        assert details.contract.conId == record.conId
        assert details.contract.localSymbol == record.localSymbol
        assert details.minTick == record.minTick
        assert details.timeZoneId == record.timeZoneId
        assert (details.tradingHours, details.liquidHours) == texts
        parsed = parse_trading_hours(details.tradingHours, details.timeZoneId)  # overnight: from Dec 31
        assert parsed.first_day in (dt.date(2023, 12, 31), dt.date(2024, 1, 1))
        if version >= 164:
            assert details.minSize == Decimal(record.minSize)


@pytest.mark.parametrize("version", VERSIONS)
def test_option_and_bond_details(universe, version):
    option = next(r for r in universe.by_sec_type["OPT"] if r.symbol == "SPY")
    [(_, (_, details))] = decode(enc.contract_data(version, 1, option, HOURS), version)
    assert (details.contract.right, details.contract.strike) == (option.right, option.strike)
    assert details.underConId == 756733 and details.underSecType == "STK"
    bond = one(universe, secType="BOND", secIdType="ISIN", secId="US03076KAA60")
    [(name, (_, bond_details))] = decode(enc.bond_contract_data(version, 2, bond, HOURS), version)
    assert name == "bondContractDetails" and bond_details.cusip == "03076KAA6"


@pytest.mark.parametrize("version", VERSIONS)
def test_order_messages(universe, version):
    record = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    order = sample_order(record)
    [(name, (order_id, contract, ib_order, state))] = decode(oenc.open_order(version, order), version)
    assert (name, order_id, contract.conId) == ("openOrder", 7, record.conId)
    assert (ib_order.orderType, ib_order.tif, ib_order.orderRef) == ("TRAIL LIMIT", "GTC", "O-1:7")
    assert ib_order.auxPrice == 1.5 and ib_order.trailStopPrice == 229.0
    assert ib_order.lmtPriceOffset == pytest.approx(0.1) and state.status == "Submitted"
    [(name, args)] = decode(oenc.completed_order(version, order), version)
    assert name == "completedOrder" and args[1].permId == 123456
    [(name, args)] = decode(oenc.order_status(order), version)
    assert name == "orderStatus" and args[:4] == (7, "Submitted", Decimal(4), Decimal(6))


@pytest.mark.parametrize("version", VERSIONS)
def test_execution_and_account_messages(universe, version):
    record = one(universe, secType="CASH", localSymbol="EUR.USD")
    execution = Execution(
        "e1.1",
        7,
        3,
        99,
        "DU123456",
        record,
        "BOT",
        20000,
        1.085,
        20000,
        1.085,
        "O-1:7",
        1_790_000_000,
        "IDEALPRO",
        2.0,
        "USD",
        None,
    )
    [(name, (req_id, _contract, ex))] = decode(oenc.exec_details(version, 4, execution), version)
    assert (name, req_id, ex.execId, ex.orderRef, ex.shares) == ("execDetails", 4, "e1.1", "O-1:7", Decimal(20000))
    [(name, (report,))] = decode(oenc.commission_report(execution), version)
    assert report.execId == "e1.1" and report.commissionAndFees == 2.0
    [(name, args)] = decode(aenc.position("DU123456", record, -3.5, 1.08), version)
    assert name == "position" and args[2] == Decimal("-3.5")
    [(name, args)] = decode(aenc.account_summary(9, "DU123456", "NetLiquidation", "1.00", "USD"), version)
    assert (name, args) == ("accountSummary", (9, "DU123456", "NetLiquidation", "1.00", "USD"))
    [(name, args)] = decode(aenc.account_value("NetLiquidation", "1.00", "USD", "DU123456"), version)
    assert name == "updateAccountValue" and args[0] == "NetLiquidation"
    [(name, args)] = decode(aenc.portfolio_value(record, 2, 1.1, 2.2, 1.0, 0.2, 0.0, "DU1"), version)
    assert name == "updatePortfolio" and args[0].conId == record.conId
    assert decode(aenc.pnl(3, 1.0, 2.0, 3.0), version)[0][0] == "pnl"


@pytest.mark.parametrize("version", VERSIONS)
def test_market_data_messages(version):
    calls = decode(enc.tick_price(1, 1, 101.5, 300), version)
    assert calls == [("tickPrice", calls[0][1]), ("tickSize", (1, 0, Decimal(300)))]
    assert calls[0][1][:3] == (1, 1, 101.5)
    bid_ask = decode(enc.tick_by_tick_bid_ask(2, 1_790_000_000, 1.0, 1.1, 5, 6), version)
    assert bid_ask[0][0] == "tickByTickBidAsk" and bid_ask[0][1][2:4] == (1.0, 1.1)
    assert decode(enc.tick_by_tick_last(2, 2, 1, 9.5, 7, "ISLAND"), version)[0][0] == "tickByTickAllLast"
    assert decode(enc.market_depth_l2(3, 0, "ISLAND", 0, 1, 9.0, 100, True), version)[0][0] == "updateMktDepthL2"
    bar = Bar(1_790_000_000, 1.0, 2.0, 0.5, 1.5, 10, 1.2, 3)
    calls = decode(enc.historical_data(version, 4, "a", "b", [("1790000000", bar)]), version)
    assert calls[0][0] == "historicalData" and calls[0][1][1].close == 1.5
    if version < 196:
        assert calls[-1][0] == "historicalDataEnd"
    else:
        assert decode(enc.historical_data_end(4, "a", "b"), version)[0][0] == "historicalDataEnd"
    assert decode(enc.historical_data_update(4, "1", bar), version)[0][1][1].high == 2.0
    assert decode(enc.real_time_bar(5, bar), version)[0][0] == "realtimeBar"
    quote = Quote(1.0, 1.1, 5, 6, 1.1, 2, 100)
    assert decode(enc.historical_ticks_bid_ask(6, [(1, quote)], True), version)[0][1][1][0].priceAsk == 1.1
    assert decode(enc.historical_ticks_last(6, [(1, quote)], True, "X"), version)[0][1][1][0].price == 1.1
    assert decode(enc.historical_ticks_midpoint(6, [(1, 1.05)], True), version)[0][1][1][0].price == 1.05
    calls = decode(enc.sec_def_opt_params(7, "SMART", 1, "SPY", "100", ["20261127"], [1.0]), version)
    assert calls[0][1][5] == {"20261127"}


@pytest.mark.parametrize("version", VERSIONS)
def test_error_and_session_messages(version):
    [(name, args)] = decode(enc.error(version, 12, 200, "No security"), version)
    assert name == "error" and (args[0], args[2], args[3]) == (12, 200, "No security")
    assert decode(enc.next_valid_id(5), version) == [("nextValidId", (5,))]
    assert decode(enc.managed_accounts(("DU1", "DU2")), version) == [("managedAccounts", ("DU1,DU2",))]
    assert decode(enc.market_data_type(3, 4), version) == [("marketDataType", (3, 4))]


@pytest.mark.parametrize("version", VERSIONS)
def test_order_events_and_gateway_messages(universe, version):
    record = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    order = sample_order(record)
    execution = Execution(
        "e1.2",
        7,
        3,
        123456,
        "DU123456",
        record,
        "BOT",
        4,
        230.0,
        4,
        230.0,
        "O-1:7",
        1_790_000_000,
        "ISLAND",
        1.0,
        "USD",
        None,
    )
    rejected = OrderRejected(3, 7, ErrorCode.ORDER_REJECTED, "Order rejected - reason:x")
    cases = [
        (OrderUpdated(order), ["openOrder", "orderStatus"]),
        (OrderFilled(order, execution), ["execDetails", "openOrder", "orderStatus", "commissionAndFeesReport"]),
        (OrderCancelled(order, "Order Canceled - reason:"), ["orderStatus", "error"]),
        (rejected, ["error"]),
    ]
    for event, expected in cases:
        assert [decode(f, version)[0][0] for f in oenc.order_event(version, event)] == expected
    [(name, (req_id, *_, code, _text, _json))] = decode(oenc.order_event(version, rejected)[0], version)
    assert (name, req_id, code) == ("error", 7, 201)
    [(name, (rows,))] = decode(enc.mkt_depth_exchanges([("ISLAND", "STK", "", "Deep2", 1)]), version)
    assert name == "mktDepthExchanges" and rows[0].exchange == "ISLAND"
    assert decode(enc.user_info(4, ""), version) == [("userInfo", (4, ""))]
    [(name, (codes,))] = decode(enc.family_codes([("DU1", "")]), version)
    assert name == "familyCodes" and codes[0].accountID == "DU1"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_less_common_messages(universe, version):
    """Every message of encoders_more through ibapi's own decoder: all fields read, the values back."""
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    [(name, args)] = decode(menc.position_multi(4, "DU1", aapl, 10, 230.5, ""), version)
    assert name == "positionMulti" and args[0] == 4 and args[3].conId == aapl.conId and args[4] == Decimal(10)
    assert decode(menc.position_multi_end(4), version) == [("positionMultiEnd", (4,))]
    update = decode(menc.account_update_multi(5, "DU1", "", "NetLiquidation", "100.00", "USD"), version)
    assert update == [("accountUpdateMulti", (5, "DU1", "", "NetLiquidation", "100.00", "USD"))]
    [(name, (_, samples))] = decode(menc.symbol_samples(version, 6, [(aapl, ["OPT"])]), version)
    assert (name, samples[0].contract.symbol, samples[0].derivativeSecTypes) == ("symbolSamples", "AAPL", ["OPT"])
    [(name, (rule, increments))] = decode(menc.market_rule(26, [(0.0, 0.01)]), version)
    assert (rule, increments[0].increment) == (26, 0.01)
    [(name, (_, components))] = decode(menc.smart_components(7, [(1, "NYSE", "N")]), version)
    assert components[0].exchange == "NYSE"
    assert decode(menc.soft_dollar_tiers(8), version) == [("softDollarTiers", (8, []))]
    [(name, (providers,))] = decode(menc.news_providers([("BRFG", "Briefing")]), version)
    assert providers[0].code == "BRFG"
    assert decode(menc.historical_news_end(9, False), version) == [("historicalNewsEnd", (9, False))]
    [(name, (_, points))] = decode(menc.histogram_data(10, [(230.5, 300)]), version)
    assert (points[0].price, points[0].size) == (230.5, Decimal(300))
    [(name, args)] = decode(menc.tick_option_computation(11, 53, 0.2, 0.5, 4.2, (0.01, 0.3, -0.05), 600.0), version)
    assert name == "tickOptionComputation" and args[3:6] == (0.2, 0.5, 4.2)
    assert decode(menc.scanner_parameters("<x/>"), version) == [("scannerParameters", ("<x/>",))]
    calls = decode(menc.scanner_data(12, [aapl]), version)
    assert [c[0] for c in calls] == ["scannerData", "scannerDataEnd"]
    assert decode(menc.display_group_list(13, "1|2"), version) == [("displayGroupList", (13, "1|2"))]
    assert decode(menc.display_group_updated(13, "none"), version) == [("displayGroupUpdated", (13, "none"))]
    assert decode(menc.verify_completed(False, "no", and_auth=False), version)[0][0] == "verifyCompleted"
    schedule = menc.historical_schedule(
        14, "a", "b", "US/Eastern", [("20240102-09:30:00", "20240102-16:00:00", "20240102")]
    )
    [(name, (_, _, _, tz, sessions))] = decode(schedule, version)
    assert (tz, sessions[0].refDate) == ("US/Eastern", "20240102")
