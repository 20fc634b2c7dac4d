"""Fast unit checks: universe resolution, chains relative to today, market determinism,
pacing rules and order matching (no processes)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from runner.ib.pacing import PacingRules
from runner.sim.world.broker import Broker
from runner.sim.world.events import OrderEvent, OrderRejected
from runner.sim.world.market import Market
from runner.sim.world.orders import OrderTicket
from runner.sim.world.pacing import PacingGuard
from runner.sim.world.sessions import MarketHours
from runner.sim.world.universe import ContractQuery, build_universe

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def universe():
    return build_universe(today=TODAY)


@pytest.mark.parametrize(
    "query",
    [
        dict(secType="STK", exchange="SMART", primaryExchange="NASDAQ", localSymbol="AAPL"),
        dict(secType="STK", exchange="SMART", primaryExchange="NYSE", localSymbol="BF B"),
        dict(secType="STK", exchange="SMART", primaryExchange="NASDAQ", localSymbol="MSFT"),
        dict(secType="STK", exchange="SMART", primaryExchange="NYSE", localSymbol="V"),
        dict(secType="STK", exchange="SMART", primaryExchange="NASDAQ", localSymbol="QQQ"),
        dict(secType="CASH", exchange="IDEALPRO", localSymbol="GBP.JPY"),
        dict(secType="CASH", exchange="IDEALPRO", symbol="GBP", currency="USD"),
        dict(secType="CRYPTO", exchange="PAXOS", localSymbol="ETH.USD"),
        dict(secType="IND", exchange="NASDAQ", localSymbol="NDX"),
        dict(secType="FUT", exchange="CME", localSymbol="ESM4"),
        dict(secType="FUT", exchange="CME", symbol="ES", lastTradeDateOrContractMonth="20240315"),
        dict(secType="FUT", exchange="NYMEX", localSymbol="CLZ7"),
        dict(secType="FOP", exchange="CME", localSymbol="ESM4 C4200"),
        dict(
            secType="FOP", exchange="CME", symbol="ES", lastTradeDateOrContractMonth="20240315", strike=4200, right="C"
        ),
        dict(secType="CONTFUT", exchange="CME", symbol="ES"),
        dict(secType="CONTFUT", exchange="NYMEX", symbol="CL"),
        dict(secType="BOND", secIdType="CUSIP", secId="912828XE8"),
        dict(secType="BOND", secIdType="ISIN", secId="US03076KAA60"),
        dict(secType="CFD", symbol="IBUS30"),
        dict(secType="CFD", symbol="DE40EUR", exchange="SMART"),
        dict(secType="CFD", exchange="SMART", localSymbol="IBUS30"),
        dict(secType="CMDTY", symbol="XAUUSD", exchange="SMART"),
        dict(
            secType="OPT",
            exchange="SMART",
            symbol="SPY",
            lastTradeDateOrContractMonth="20261218",
            strike=600,
            right="C",
        ),
    ],
)
def test_guide_contracts_resolve_uniquely(universe, query):
    assert len(universe.match(ContractQuery(**query))) == 1


def test_unknown_and_expired_chain_requests(universe):
    assert universe.match(ContractQuery(secType="STK", symbol="NOPE")) == []
    # the guide's fixed 20240718 SPX expiry is not listed: IB answers error 200
    assert (
        universe.match(
            ContractQuery(secType="OPT", symbol="SPX", exchange="CBOE", lastTradeDateOrContractMonth="20240718")
        )
        == []
    )
    futures = universe.match(ContractQuery(secType="FUT", symbol="ES", exchange="CME"))
    assert all(not r.expired for r in futures)  # expired ones only with includeExpired


def test_chains_are_relative_to_today(universe):
    front = universe.match(ContractQuery(secType="CONTFUT", symbol="ES", exchange="CME"))[0]
    assert front.localSymbol == "ESZ6" and front.lastTradeDateOrContractMonth == "20261218"
    spy = universe.get(756733)
    expiries = {e for row in universe.option_chain_params(spy.conId, "") for e in row[3]}
    assert min(expiries) >= TODAY.strftime("%Y%m%d")
    assert sum(1 for e in expiries if e <= "20261130") >= 3  # a 0-7 day window is never empty
    later = build_universe(today=dt.date(2027, 3, 1))
    front = later.match(ContractQuery(secType="CONTFUT", symbol="ES", exchange="CME"))[0]
    assert front.localSymbol == "ESH7"


def test_user_universe_file_adds_instruments(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "instruments:\n  - {secType: STK, symbol: ZZZT, primaryExchange: NYSE,\n"
        "     conId: 99999, isin: US0000000001, price: 12.5}\n"
    )
    universe = build_universe((str(extra),), today=TODAY)
    [record] = universe.match(ContractQuery(secType="STK", symbol="ZZZT"))
    assert record.conId == 99999 and record.price == 12.5


def test_market_is_deterministic_per_seed(universe):
    aapl = universe.get(265598)
    a, b, c = (Market(seed, 0.25, universe) for seed in (1, 1, 2))
    assert a.quote_at(aapl, 100, 1_790_000_000.0) == b.quote_at(aapl, 100, 1_790_000_000.0)
    assert a.bar(aapl, 1_790_000_000, 60) == b.bar(aapl, 1_790_000_000, 60)
    assert a.quote_at(aapl, 100, 1_790_000_000.0) != c.quote_at(aapl, 100, 1_790_000_000.0)
    quote = a.quote_at(aapl, 7, 1_790_000_000.0)
    assert quote.bid < quote.ask and round(quote.ask - quote.bid, 6) == aapl.minTick


def test_pacing_rules():
    guard = PacingGuard(
        PacingRules(
            max_requests=5,
            window_seconds=10,
            identical_cooldown_seconds=15,
            per_contract_max=3,
            per_contract_window_seconds=2,
        )
    )
    assert guard.check("a", "1", 0.0) is None
    assert "identical" in guard.check("a", "1", 1.0)
    assert guard.check("b", "1", 1.0) is None and guard.check("c", "1", 1.5) is None
    assert "one contract" in guard.check("d", "1", 1.9)
    assert guard.check("e", "2", 1.9) is None and guard.check("f", "3", 1.9) is None
    assert "Max rate" in guard.check("g", "4", 2.0)
    assert guard.check("g", "4", 20.0) is None  # the window slid


def _broker(universe, always_open: bool = True):
    market = Market(7, 0.25, universe)
    events: list[OrderEvent] = []
    return Broker(market, MarketHours(always_open), ("DU1",), 100_000.0, "USD", events.append), market, events


def _request(order_id, action, order_type, **kw) -> OrderTicket:
    return OrderTicket(order_id, action=action, total_qty=10, order_type=order_type, **kw)


def test_order_types_trigger_against_quotes(universe):
    broker, market, _ = _broker(universe)
    aapl = universe.get(265598)
    now = time.time()
    ask = market.quote(aapl, now).ask
    broker.place(1, _request(1, "BUY", "STP", aux_price=round(ask * 1.05, 2)), aapl)
    broker.place(1, _request(2, "SELL", "MIT", aux_price=round(ask * 1.05, 2)), aapl)
    broker.place(1, _request(3, "BUY", "LMT", lmt_price=round(ask * 0.9, 2), tif="IOC"), aapl)
    broker.place(1, _request(4, "SELL", "TRAIL", aux_price=1.0), aapl)
    broker.place(1, _request(5, "BUY", "MOC"), aapl)
    broker.place(1, _request(6, "BUY", "LOC", lmt_price=1.0), aapl)
    status = {o.order_id: o.ib_status for o in broker.orders.values()}
    assert status == {
        1: "Submitted",
        2: "Submitted",
        3: "Cancelled",
        4: "Submitted",
        5: "PreSubmitted",
        6: "PreSubmitted",
    }
    market.shock(aapl.conId, 1.10)  # +10 %: the stop and the MIT trigger
    broker.on_tick(now)
    assert broker.orders[(1, 1)].ib_status == "Filled"
    assert broker.orders[(1, 2)].ib_status == "Filled"
    market.shock(aapl.conId, 1.0)  # back down: the trailing stop follows and fires
    broker.on_tick(now)
    assert broker.orders[(1, 4)].ib_status == "Filled"
    assert broker.run_auction(now) == 1  # MOC fills, LOC's limit is not reached
    assert broker.orders[(1, 5)].ib_status == "Filled"
    assert broker.orders[(1, 6)].ib_status == "Cancelled"
    position = broker.accounts["DU1"].positions[aapl.conId]
    assert position.size == 0  # +10 stop, -10 MIT, -10 trail, +10 MOC
    assert len(broker.accounts["DU1"].executions) == 4


def test_invalid_orders_are_rejected(universe):
    broker, _, events = _broker(universe)
    aapl = universe.get(265598)
    broker.place(1, _request(1, "BUY", "LMT"), aapl)  # no limit price
    broker.place(1, _request(2, "BUY", "MKT", tif="XYZ"), aapl)
    assert not broker.orders
    assert [(e.order_id, e.code) for e in events if isinstance(e, OrderRejected)] == [(1, 201), (2, 201)]
