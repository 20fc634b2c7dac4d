"""`ibrun download` end to end against the simulator over TCP (the spec starts it)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from runner.cli.download import download
from tests.download.conftest import bars, trade_ticks

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC


def ns(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000_000


def test_guide_complete_example(tmp_path: Path) -> None:
    spec = tmp_path / "download.yaml"
    shutil.copy(ROOT / "specs" / "download.yaml", spec)
    catalog = tmp_path / "catalog"
    result = download(spec, catalog=catalog, quiet=True)

    read = ParquetDataCatalog(str(catalog))
    assert sorted(i.id.value for i in read.instruments()) == ["AAPL.NASDAQ", "EUR/USD.IDEALPRO"]
    # 1-HOUR-LAST in regular hours (use_rth): 09:30 (a half bar), 10:00 .. 15:00 on Nov 1, 2, 3, 6.
    hourly = bars(catalog, "AAPL.NASDAQ-1-HOUR-LAST-EXTERNAL")
    opens = [b.ts_event for b in hourly]
    assert opens == sorted(set(opens))
    assert opens[0] == ns(2023, 11, 1, 13, 30) and opens[-1] == ns(2023, 11, 6, 20)
    assert len(hourly) == 4 * 7  # no weekend, no night
    # 1-DAY-LAST: one bar per weekday from Nov 1 to Nov 6.
    daily = bars(catalog, "AAPL.NASDAQ-1-DAY-LAST-EXTERNAL")
    assert [b.ts_event for b in daily] == [ns(2023, 11, d) for d in (1, 2, 3, 6)]
    # TRADES ticks: 14:00-15:00 New York = 19:00Z-20:00Z, each second at most once.
    ticks = trade_ticks(catalog, "AAPL.NASDAQ")
    stamps = [t.ts_init for t in ticks]
    assert len(ticks) > 500 and stamps == sorted(set(stamps))
    assert ns(2023, 11, 6, 19) <= stamps[0] and stamps[-1] < ns(2023, 11, 6, 20)
    # IB has no TRADES history for forex (bars or ticks): reported, skipped, nothing written.
    unavailable = {e.series.identifier for e in result.series if e.unavailable}
    assert {"EUR/USD.IDEALPRO-1-HOUR-LAST-EXTERNAL", "EUR/USD.IDEALPRO-1-DAY-LAST-EXTERNAL"} < unavailable
    assert len(unavailable) == 3 and trade_ticks(catalog, "EUR/USD.IDEALPRO") == []
    assert result.rows_written == len(hourly) + len(daily) + len(ticks)
    table = {e.series.identifier: e for e in result.series}
    assert table["AAPL.NASDAQ-1-HOUR-LAST-EXTERNAL"].first == opens[0]  # the report shows the catalog's ts_event

    again = download(spec, catalog=catalog, quiet=True)  # resumable: nothing left to fetch
    assert again.rows_written == 0 and again.new_instruments == 0
    assert again.requests == 3  # only the unavailable series are asked again


def _pacing_spec(write_spec, catalog: Path, client_pacing: dict | None) -> Path:
    download_section: dict = {
        "catalog": str(catalog),
        "use_rth": False,  # 14:00Z-18:00Z starts before the regular session (09:30 New York)
        "bars": [{"specs": ["5-SECOND-MID"], "start": "2023-11-06 14:00", "end": "2023-11-06 18:00"}],
    }
    if client_pacing is not None:
        download_section["pacing"] = client_pacing
    return write_spec(
        {
            "version": 1,
            "gateway": {
                "simulated": {
                    "pacing": {
                        "max_requests": 4,
                        "window_seconds": 1.5,
                        "identical_cooldown_seconds": 0.5,
                        "per_contract_max": 2,
                        "per_contract_window_seconds": 0.5,
                    }
                }
            },
            "instruments": {"load_ids": ["AAPL.NASDAQ", "MSFT.NASDAQ"]},
            "download": download_section,
        }
    )


def _assert_complete_5s(catalog: Path) -> None:
    for iid in ("AAPL.NASDAQ", "MSFT.NASDAQ"):
        got = bars(catalog, f"{iid}-5-SECOND-MID-EXTERNAL")
        stamps = [b.ts_event for b in got]
        assert stamps == list(range(ns(2023, 11, 6, 14), ns(2023, 11, 6, 18), 5_000_000_000))


def test_pacing_violations_are_retried_without_loss(write_spec, tmp_path: Path) -> None:
    loose = {
        "max_requests": 1000,
        "window_seconds": 1,
        "identical_cooldown_seconds": 0,
        "per_contract_max": 100,
        "per_contract_window_seconds": 0.1,
    }
    catalog = tmp_path / "catalog"
    result = download(_pacing_spec(write_spec, catalog, loose), quiet=True)
    assert result.retries > 0  # the simulator answered error 162 ...
    _assert_complete_5s(catalog)  # ... and every bar still arrived exactly once


def test_pacer_keeps_within_the_gateway_limits(write_spec, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    result = download(_pacing_spec(write_spec, catalog, None), quiet=True)
    assert result.retries == 0  # no error 162: the pacer kept inside the limits
    assert result.requests == 8  # 4 h of 5-second bars: an hour per request
    _assert_complete_5s(catalog)
