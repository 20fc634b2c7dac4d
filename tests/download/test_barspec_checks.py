"""Bar spec grammar and the download section's semantic checks (no nautilus, no sim)."""

from __future__ import annotations

import datetime as dt

import pytest

from runner.ib.barspec import BarSpecError, all_bar_specs, parse_bar_spec
from runner.model import Spec
from runner.model.parse import parse_spec
from runner.validation.checks_download import check_download

GUIDE_SPECS = (
    [f"{s}-SECOND-LAST" for s in (1, 5, 10, 15, 30)]
    + [f"{s}-MINUTE-LAST" for s in (1, 2, 3, 5, 10, 15, 20, 30)]
    + [f"{s}-HOUR-LAST" for s in (1, 2, 3, 4, 8)]
    + ["1-DAY-LAST", "1-WEEK-LAST", "1-MONTH-LAST"]
)


@pytest.mark.parametrize("text", GUIDE_SPECS)
@pytest.mark.parametrize("price", ["LAST", "MID", "BID", "ASK"])
def test_every_guide_spec_parses(text: str, price: str) -> None:
    text = text.replace("LAST", price)
    spec = parse_bar_spec(text)
    assert str(spec) == text
    assert text in all_bar_specs()


def test_ib_fields() -> None:
    spec = parse_bar_spec("5-MINUTE-MID")
    assert (spec.ib_bar_size, spec.what_to_show, spec.seconds) == ("5 mins", "MIDPOINT", 300)
    assert parse_bar_spec("1-SECOND-BID").ib_bar_size == "1 secs"
    assert parse_bar_spec("1-HOUR-LAST").ib_bar_size == "1 hour"
    assert parse_bar_spec("8-HOUR-ASK").ib_bar_size == "8 hours"
    assert parse_bar_spec("1-DAY-LAST").what_to_show == "TRADES"
    assert parse_bar_spec("1-SECOND-LAST").max_request_seconds == 1800
    assert parse_bar_spec("1-MINUTE-LAST").max_request_seconds == 86400


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1-MIN-LAST", "did you mean MINUTE"),
        ("7-MINUTE-LAST", "MINUTE steps are 1, 2, 3, 5, 10, 15, 20, 30"),
        ("2-DAY-LAST", "DAY steps are 1"),
        ("1-HOUR-MIDPOINT", "did you mean MID"),
        ("1-HOUR", "STEP-AGGREGATION-PRICE"),
        ("0-HOUR-LAST", "positive integer"),
        ("1-TICK-LAST", "unknown aggregation"),
    ],
)
def test_bad_specs_explain(text: str, fragment: str) -> None:
    with pytest.raises(BarSpecError, match=fragment):
        parse_bar_spec(text)


def _spec(download: dict, gateway: dict | None = None, instruments: bool = True) -> Spec:
    data = {
        "version": 1,
        "gateway": gateway if gateway is not None else {"simulated": {}},
        "download": download,
    }
    if instruments:
        data["instruments"] = {"load_ids": ["AAPL.NASDAQ"]}
    return parse_spec(data)


def test_clean_spec_has_no_problems() -> None:
    spec = _spec(
        {
            "tz": "America/New_York",
            "bars": [{"specs": ["1-HOUR-LAST", "1-DAY-LAST"], "start": "2023-11-01 09:30", "end": "2023-11-06 16:30"}],
            "ticks": [{"types": ["TRADES"], "start": "2023-11-06 14:00", "end": "2023-11-06 15:00"}],
        }
    )
    assert check_download(spec) == []


def test_problems_have_paths() -> None:
    spec = _spec(
        {
            "bars": [
                {"specs": ["1-HOUR-LAST", "7-MINUTE-LAST", "1-HOUR-LAST"], "start": "2023-11-06", "end": "2023-11-01"}
            ],
            "ticks": [{"types": ["TRADES", "TRADES"], "start": "2023-11-06 15:00", "end": "2023-11-06 14:00"}],
        }
    )
    paths = {path: msg for path, msg in check_download(spec)}
    assert "IB has no 7-MINUTE" in paths[("download", "bars", 0, "specs", 1)]
    assert "twice" in paths[("download", "bars", 0, "specs", 2)]
    assert "must be after start" in paths[("download", "bars", 0, "end")]
    assert "must be after start" in paths[("download", "ticks", 0, "end")]
    assert "twice" in paths[("download", "ticks", 0, "types", 1)]


def test_bad_tz_and_missing_instruments() -> None:
    spec = _spec({"tz": "Mars/Olympus"}, instruments=False)
    paths = dict(check_download(spec))
    assert "unknown time zone" in paths[("download", "tz")]
    assert "needs instruments" in paths[("download",)]


def test_aware_times_compare_across_zones() -> None:
    spec = _spec(
        {"bars": [{"specs": ["1-HOUR-LAST"], "start": "2023-11-01T10:00:00-04:00", "end": "2023-11-01T14:30:00+00:00"}]}
    )
    assert check_download(spec) == []  # 14:00Z < 14:30Z


def test_small_bar_lookback_only_for_real_gateways() -> None:
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    download = {"bars": [{"specs": ["5-SECOND-LAST", "1-MINUTE-LAST"], "start": "2023-01-02", "end": "2023-01-03"}]}
    real = _spec(download, gateway={"port": 4002})
    problems = check_download(real, now=now)
    assert [(p, "5-SECOND-LAST" in m) for p, m in problems] == [(("download", "bars", 0, "start"), True)]
    assert check_download(_spec(download), now=now) == []


def test_no_download_section() -> None:
    assert check_download(parse_spec({"version": 1})) == []
