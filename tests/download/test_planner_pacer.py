"""Planner (windows, chunks, resume arithmetic) and pacer (IB's rules) without a gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest

from runner.download.pacer import Pacer
from runner.download.planner import (
    Chunk,
    Series,
    bar_window,
    covered_keys,
    merge,
    missing,
    plan_chunks,
    plan_series,
    split,
)
from runner.ib.barspec import parse_bar_spec
from runner.ib.pacing import PacingRules
from runner.ib.times import DAY_NS, NS, date_ns, to_ns
from runner.model.parse import parse_spec

NY = "America/New_York"
H = 3600 * NS


def utc(*args: int) -> int:
    return to_ns(dt.datetime(*args, tzinfo=dt.UTC))


def test_intraday_window_is_exact_local_time() -> None:
    bar = parse_bar_spec("1-HOUR-LAST")
    start, end = bar_window(bar, dt.datetime(2023, 11, 1, 9, 30), dt.datetime(2023, 11, 6, 16, 30), NY)
    assert start == utc(2023, 11, 1, 13, 30)  # EDT
    assert end == utc(2023, 11, 6, 21, 30)  # EST after the switch


def test_day_window_covers_whole_dates() -> None:
    bar = parse_bar_spec("1-DAY-LAST")
    start, end = bar_window(bar, dt.datetime(2023, 11, 1, 9, 30), dt.datetime(2023, 11, 6, 16, 30), NY)
    assert (start, end) == (date_ns(dt.date(2023, 11, 1)), date_ns(dt.date(2023, 11, 7)))
    _, end = bar_window(bar, dt.datetime(2023, 11, 1), dt.datetime(2023, 11, 6), NY)
    assert end == date_ns(dt.date(2023, 11, 6))  # midnight end excludes that date


def test_week_and_month_windows_start_at_period_start() -> None:
    week = parse_bar_spec("1-WEEK-LAST")
    start, _ = bar_window(week, dt.datetime(2023, 11, 1), dt.datetime(2023, 12, 1), "UTC")
    assert start == date_ns(dt.date(2023, 10, 30))
    month = parse_bar_spec("1-MONTH-LAST")
    start, _ = bar_window(month, dt.datetime(2023, 11, 15), dt.datetime(2024, 2, 1), "UTC")
    assert start == date_ns(dt.date(2023, 11, 1))


def test_missing_and_merge() -> None:
    assert missing(0, 10, []) == [(0, 10)]
    assert missing(0, 10, [(2, 4), (3, 6), (8, 12)]) == [(0, 2), (6, 8)]
    assert missing(0, 10, [(-5, 20)]) == []
    assert merge([(5, 8), (0, 2), (2, 3), (7, 9)]) == [(0, 3), (5, 9)]


def test_chunk_files_are_disjoint_and_round_trip() -> None:
    series = Series("AAPL.NASDAQ", bar=parse_bar_spec("1-MINUTE-LAST"))
    chunks = split(series, 0, 5 * DAY_NS)
    assert len(chunks) == 5  # 1-minute bars: one day per request
    files = [c.ts_init_range for c in chunks]
    for (_, hi), (lo, _) in itertools.pairwise(files):
        assert lo == hi + 1
    assert missing(0, 5 * DAY_NS, covered_keys(series, files)) == []
    # A resumed plan with the first three chunks written only fetches the rest.
    again = plan_chunks(series, [(0, 5 * DAY_NS)], covered_keys(series, files[:3]))
    assert [(c.start, c.end) for c in again] == [(c.start, c.end) for c in chunks[3:]]


def test_request_window_is_padded_and_within_ib_limits() -> None:
    hour = Series("X.Y", bar=parse_bar_spec("1-HOUR-LAST"))
    end, duration = Chunk(hour, 10 * H, 20 * H).request_window()
    assert (end, duration) == (21 * H, "39600 S")
    minute = Series("X.Y", bar=parse_bar_spec("1-MINUTE-LAST"))
    for chunk in split(minute, 0, 3 * DAY_NS):
        seconds, unit = chunk.request_window()[1].split()
        assert unit == "S" and int(seconds) <= 86400
    day = Series("X.Y", bar=parse_bar_spec("1-DAY-LAST"))
    assert Chunk(day, 0, 4 * DAY_NS).request_window()[1] == "6 D"
    # never past "now"
    end, _ = Chunk(hour, 10 * H, 20 * H).request_window(now_ns=15 * H)
    assert end == 15 * H


def test_plan_series_fans_out_instruments() -> None:
    download = parse_spec(
        {
            "version": 1,
            "download": {
                "tz": NY,
                "bars": [
                    {"specs": ["1-HOUR-LAST", "1-DAY-LAST"], "start": "2023-11-01 09:30", "end": "2023-11-06 16:30"}
                ],
                "ticks": [{"types": ["TRADES"], "start": "2023-11-06 14:00", "end": "2023-11-06 15:00"}],
            },
        }
    ).download
    assert download is not None
    plans = plan_series(download, ["AAPL.NASDAQ", "EUR/USD.IDEALPRO"])
    labels = sorted((p.series.instrument_id, p.series.label, p.series.data_cls) for p in plans)
    assert labels == [
        ("AAPL.NASDAQ", "1-DAY-LAST", "Bar"),
        ("AAPL.NASDAQ", "1-HOUR-LAST", "Bar"),
        ("AAPL.NASDAQ", "TRADES", "TradeTick"),
        ("EUR/USD.IDEALPRO", "1-DAY-LAST", "Bar"),
        ("EUR/USD.IDEALPRO", "1-HOUR-LAST", "Bar"),
        ("EUR/USD.IDEALPRO", "TRADES", "TradeTick"),
    ]
    bars = next(p for p in plans if p.series.label == "1-HOUR-LAST")
    assert bars.series.identifier == "AAPL.NASDAQ-1-HOUR-LAST-EXTERNAL"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _pacer(backoff_cap_s: float | None = None, **rules: float) -> tuple[Pacer, FakeClock]:
    clock = FakeClock()
    pacer = Pacer(PacingRules(**rules), clock=clock, sleep=clock.sleep, margin_s=0.0, backoff_cap_s=backoff_cap_s)
    return pacer, clock


def test_window_limit() -> None:
    asyncio.run(_window_limit())


async def _window_limit() -> None:
    pacer, clock = _pacer(max_requests=3, window_seconds=10, per_contract_max=100)
    sent = []
    for i in range(7):
        await pacer.wait(("req", i), f"c{i}")
        sent.append(clock.now)
    assert sent == [0, 0, 0, 10, 10, 10, 20]
    assert pacer.waited_s == 20


def test_identical_and_per_contract() -> None:
    asyncio.run(_identical_and_per_contract())


async def _identical_and_per_contract() -> None:
    pacer, clock = _pacer(identical_cooldown_seconds=15, per_contract_max=2, per_contract_window_seconds=2)
    await pacer.wait("a", "AAPL")
    await pacer.wait("b", "AAPL")
    await pacer.wait("c", "AAPL")  # third for AAPL within 2 s waits
    assert clock.now == 2
    await pacer.wait("d", "MSFT")  # another contract is free
    assert clock.now == 2
    await pacer.wait("a", "MSFT")  # identical request waits for the cooldown
    assert clock.now == 15


def test_backoff_grows_and_caps() -> None:
    pacer, _ = _pacer(per_contract_window_seconds=2, backoff_cap_s=20)
    assert [pacer.backoff(i) for i in range(6)] == [2, 4, 8, 16, 20, 20]


@pytest.mark.parametrize("n", [60, 61, 125])
def test_never_more_than_max_in_any_window(n: int) -> None:
    asyncio.run(_never_more(n))


async def _never_more(n: int) -> None:
    pacer, clock = _pacer()
    times = []
    for i in range(n):
        await pacer.wait(i, i % 7)
        times.append(clock.now)
    for i, t in enumerate(times):
        assert sum(1 for u in times[: i + 1] if u > t - 600) <= 60


def test_the_spec_pacing_model_converts_to_the_one_rules_type() -> None:
    from runner.model.pacing import Pacing

    assert Pacing().rules() == PacingRules()
    keys = {
        "max_requests": 40,
        "window_seconds": 60.0,
        "identical_cooldown_seconds": 1.5,
        "per_contract_max": 3,
        "per_contract_window_seconds": 0.2,
    }
    assert Pacing(**keys).rules() == PacingRules(**keys)


def test_pacer_slack_follows_the_rules() -> None:
    default = Pacer()
    assert (default.margin, default.backoff_cap) == (0.5, 60.0)  # IB's rules
    scaled = Pacer(PacingRules().scaled(0.01))
    assert (scaled.margin, scaled.backoff_cap) == (0.1, 1.5)
