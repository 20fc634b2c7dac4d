"""Exchange calendars, sessions, history inside them and the tiered commissions (pure, in-process)."""

from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest
from holiday_table import TABLE, computed, same_days

from runner.ib.hours import parse_trading_hours
from runner.sim.world import history
from runner.sim.world.commissions import OrderVolume, execution_commission
from runner.sim.world.market import Market
from runner.sim.world.sessions import MarketHours, is_trading_day
from runner.sim.world.universe import ContractQuery, build_universe

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
NOTHING = OrderVolume()


def epoch(*args: int, tz: dt.tzinfo = NY) -> int:
    return int(dt.datetime(*args, tzinfo=tz).timestamp())


@pytest.fixture(scope="module")
def universe():
    return build_universe(today=dt.date(2026, 11, 23))


@pytest.fixture(scope="module")
def market(universe):
    return Market(42, 0.25, universe)


def one(universe, **query):
    [record] = universe.match(ContractQuery(**query))
    return record


def test_shipped_holidays_are_the_librarys():
    assert same_days(json.loads(TABLE.read_text()), computed()), "run: uv run python tests/sim/holiday_table.py"


def test_calendars():
    assert not is_trading_day("NYSE", dt.date(2023, 11, 23))  # Thanksgiving
    assert not is_trading_day("NYSE", dt.date(2023, 11, 4))  # Saturday
    assert is_trading_day("NYSE", dt.date(2023, 11, 24))
    assert not is_trading_day("NYSE", dt.date(2024, 1, 15)) and is_trading_day("CME", dt.date(2024, 1, 15))
    assert is_trading_day("24/7", dt.date(2023, 11, 4)) and not is_trading_day("weekdays", dt.date(2023, 11, 5))


def test_stock_sessions_weekends_and_regular_hours(universe):
    hours = MarketHours(always_open=False)
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    regular = hours.windows(aapl, epoch(2023, 11, 1), epoch(2023, 11, 7), rth=True)
    assert [w[2].day for w in regular] == [1, 2, 3, 6]  # no weekend
    assert regular[0][:2] == (epoch(2023, 11, 1, 9, 30), epoch(2023, 11, 1, 16))
    extended = hours.windows(aapl, epoch(2023, 11, 1), epoch(2023, 11, 2), rth=False)
    assert extended[0][:2] == (epoch(2023, 11, 1, 4), epoch(2023, 11, 1, 20))
    assert hours.is_open(aapl, epoch(2023, 11, 1, 15)) and not hours.is_open(aapl, epoch(2023, 11, 4, 12))
    assert hours.is_open(aapl, epoch(2023, 11, 1, 8)) and not hours.is_open(aapl, epoch(2023, 11, 1, 8), rth=True)
    assert MarketHours(always_open=True).is_open(aapl, epoch(2023, 11, 4, 12), rth=True)


def test_overnight_futures_and_forex_sessions(universe):
    hours = MarketHours(always_open=False)
    es = one(universe, secType="FUT", localSymbol="ESM4")
    chicago = ZoneInfo("America/Chicago")
    monday = hours.windows(es, epoch(2024, 6, 3, tz=chicago), epoch(2024, 6, 3, 12, tz=chicago), rth=False)
    assert monday[0][:2] == (epoch(2024, 6, 2, 17, tz=chicago), epoch(2024, 6, 3, 16, tz=chicago))  # opens Sunday
    assert not hours.is_open(es, epoch(2024, 6, 25, 10, tz=chicago))  # expired June 21 2024
    assert hours.windows(es, epoch(2024, 6, 22), epoch(2024, 7, 1), rth=False) == []
    eur = one(universe, secType="CASH", localSymbol="EUR.USD")
    assert not hours.is_open(eur, epoch(2023, 11, 4, 12)) and hours.is_open(eur, epoch(2023, 11, 5, 18))
    btc = one(universe, secType="CRYPTO", localSymbol="BTC.USD")
    assert hours.is_open(btc, epoch(2023, 11, 4, 12))  # crypto trades every day


def test_contract_hours_read_back_with_ibs_parser(universe):
    hours = MarketHours(always_open=False)
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    trading, liquid = hours.contract_hours(aapl, dt.date(2023, 11, 3))
    assert "20231104:CLOSED" in trading and "20231103:0930-20231103:1600" in liquid
    parsed = parse_trading_hours(liquid, aapl.timeZoneId)
    assert parsed.is_open(dt.datetime(2023, 11, 3, 15, tzinfo=UTC)) is True
    assert parsed.is_open(dt.datetime(2023, 11, 3, 22, tzinfo=UTC)) is False


@pytest.mark.parametrize(
    ("span", "bar_seconds", "use_rth", "rows"),
    [
        ((epoch(2023, 11, 1, 9, 30), epoch(2023, 11, 6, 16, 30)), 3600, True, 4 * 7),  # 09:30, 10:00 .. 15:00
        ((epoch(2023, 11, 1), epoch(2023, 11, 7)), 3600, False, 4 * 16),  # 04:00 .. 19:00
        ((epoch(2023, 11, 1, 16), epoch(2023, 11, 3, 16)), 60, True, 2 * 390),  # two regular sessions
        ((epoch(2023, 11, 4), epoch(2023, 11, 6)), 60, False, 0),  # a weekend
        ((epoch(2023, 11, 20), epoch(2023, 11, 27)), 86_400, True, 4),  # Thanksgiving week
    ],
)
def test_stock_bars_follow_the_sessions(universe, market, span, bar_seconds, use_rth, rows):
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    bars = history.bars(market, MarketHours(False), aapl, span, bar_seconds, "TRADES", use_rth)
    assert len(bars) == rows
    if rows and bar_seconds == 3600 and use_rth:
        assert bars[0].time == epoch(2023, 11, 1, 9, 30) and bars[1].time == epoch(2023, 11, 1, 10)


def test_daily_bars_are_dated_by_trading_day(universe, market):
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    bars = history.bars(
        market, MarketHours(False), aapl, (epoch(2023, 11, 1), epoch(2023, 11, 7)), 86_400, "TRADES", True
    )
    assert [time.strftime("%Y%m%d", time.gmtime(b.time)) for b in bars] == [
        "20231101",
        "20231102",
        "20231103",
        "20231106",
    ]


def test_ibs_missing_series(universe):
    eur = one(universe, secType="CASH", localSymbol="EUR.USD")
    spx = one(universe, secType="IND", symbol="SPX")
    assert "No historical market data for EUR.USD/CASH@IDEALPRO Last" in history.bars_refusal(eur, "TRADES", 60, 600)
    assert history.bars_refusal(eur, "MIDPOINT", 60, 600) is None
    assert "SPX/IND@CBOE BidAsk" in history.bars_refusal(spx, "BID_ASK", 60, 600)
    assert history.bars_refusal(spx, "TRADES", 60, 600) is None


def test_historical_ticks_stay_inside_sessions(universe, market):
    aapl = one(universe, secType="STK", localSymbol="AAPL", primaryExchange="NASDAQ")
    saturday_noon = epoch(2023, 11, 4, 12)
    found = history.ticks(market, MarketHours(False), aapl, (None, saturday_noon), 100, "TRADES", True)
    assert len(found) == 100 and epoch(2023, 11, 3, 15) <= found[0][0] < found[-1][0] < epoch(2023, 11, 3, 16)


def test_tiered_commissions():
    def stock(units: float, before: OrderVolume = NOTHING, month: float = 0.0, selling: bool = False) -> float:
        return execution_commission("STK", before, units, units * 100.0, month, adding=False, selling=selling)

    assert stock(10) == pytest.approx(0.35 + 10 * 0.0032)  # the per-order minimum, plus fees
    assert stock(1000) == pytest.approx(1000 * (0.0035 + 0.0032))
    assert stock(1000, month=400_000) == pytest.approx(1000 * (0.0020 + 0.0032))  # the next tier
    first = stock(10)  # a partially filled order pays its minimum once
    second = stock(10, OrderVolume(10, 1000.0, first))
    assert first + second == pytest.approx(stock(20))
    assert stock(1000, selling=True) > stock(1000)  # SEC and FINRA fees on sales
    fx = execution_commission("CASH", OrderVolume(), 20_000, 21_700.0, 0.0, adding=False, selling=False)
    assert fx == pytest.approx(2.00)  # 0.2 bp of 21,700 is below the minimum
