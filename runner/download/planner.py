"""Plan a download: series (instrument x data type), their windows, and IB-sized chunks.

Times are unix nanoseconds. Each series has a *key time* per row — a bar's open (intraday), its
date at midnight UTC (day bars) or IB's date (week/month bars), a tick's time — and the row's
`ts_init` is key + `offset_ns` (how nautilus stamps IB data). A chunk is a half-open key window
`[start, end)`; the catalog file written for it spans `ts_init` `[start + offset, end + offset - 1]`,
so neighbouring chunks give disjoint, gap-free files and resuming is interval arithmetic on the
catalog's file names. Pure: no nautilus import.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.ib.barspec import BarSpec, parse_bar_spec
from runner.ib.times import DAY_NS, NS, date_ns, local_date, localize, to_ns

if TYPE_CHECKING:
    from runner.model.download import Download

TICK_CHUNK_NS = 3600 * NS  # one catalog file (and resume unit) per hour of ticks
TICK_DATA_CLS = {"TRADES": "TradeTick", "BID_ASK": "QuoteTick"}
IB_SECONDS_DURATION_MAX = 86_400  # longer durations must be given in days


@dataclass(frozen=True, slots=True)
class Series:
    """One catalog series: an instrument and either a bar spec or a tick type."""

    instrument_id: str
    bar: BarSpec | None = None
    tick_type: str | None = None

    @property
    def data_cls(self) -> str:
        return "Bar" if self.bar is not None else TICK_DATA_CLS[self.tick_type or ""]

    @property
    def identifier(self) -> str:
        """Catalog identifier: the bar type string for bars, the instrument id for ticks."""
        if self.bar is not None:
            return f"{self.instrument_id}-{self.bar}-EXTERNAL"
        return self.instrument_id

    @property
    def label(self) -> str:
        return str(self.bar) if self.bar is not None else str(self.tick_type)

    @property
    def offset_ns(self) -> int:
        """`ts_init` minus key time (nautilus: bar close; day bars: end of day minus 1 ns)."""
        if self.bar is None or self.bar.aggregation in ("WEEK", "MONTH"):
            return 0
        if self.bar.aggregation == "DAY":
            return DAY_NS - 1
        return self.bar.seconds * NS

    @property
    def chunk_ns(self) -> int:
        """Longest key window one chunk covers (IB's duration limit for the bar size)."""
        if self.bar is None:
            return TICK_CHUNK_NS
        if not self.bar.is_intraday:
            return 360 * DAY_NS
        return self.bar.max_request_seconds * NS


@dataclass(frozen=True, slots=True)
class Chunk:
    """One unit of work and of catalog writing: a series over a key window `[start, end)`."""

    series: Series
    start: int
    end: int

    @property
    def ts_init_range(self) -> tuple[int, int]:
        """Closed `ts_init` interval this chunk's catalog file covers."""
        offset = self.series.offset_ns
        return self.start + offset, self.end + offset - 1

    def request_window(self, now_ns: int | None = None) -> tuple[int, str]:
        """IB request for this chunk: end (ns) and duration. Day+ bars are padded by a day each
        side; intraday ones by a bar at the end when IB's duration limit leaves room (IB
        returns bars opening at or after end - duration; the rows are filtered to the chunk)."""
        bar = self.series.bar
        assert bar is not None, "tick chunks are paged, not sized"
        if bar.is_intraday:
            pad = bar.seconds * NS
            start = self.start
            fits = (self.end + pad - start) // NS <= bar.max_request_seconds
            end = self.end + pad if fits else self.end
        else:
            start, end = self.start - DAY_NS, self.end + DAY_NS
        if now_ns is not None:
            end = max(min(end, now_ns), self.start + NS)
        seconds = -(-(end - start) // NS)
        if bar.is_intraday and seconds <= IB_SECONDS_DURATION_MAX:
            return end, f"{seconds} S"
        return end, f"{-(-seconds // 86_400)} D"


def bar_window(bar: BarSpec, start: dt.datetime, end: dt.datetime, tz: str) -> tuple[int, int]:
    """Key window of a bar request: exact times intraday, whole local dates for day+ bars."""
    if bar.is_intraday:
        return to_ns(localize(start, tz)), to_ns(localize(end, tz))
    first = local_date(start, tz)
    last = local_date(end, tz)
    end_local = end if end.tzinfo is None else end.astimezone(localize(end, tz).tzinfo)
    if end_local.time() == dt.time(0):  # an end at midnight excludes that date
        last -= dt.timedelta(days=1)
    if bar.aggregation == "WEEK":
        first -= dt.timedelta(days=first.weekday())
    elif bar.aggregation == "MONTH":
        first = first.replace(day=1)
    return date_ns(first), date_ns(last) + DAY_NS


def tick_window(start: dt.datetime, end: dt.datetime, tz: str) -> tuple[int, int]:
    return to_ns(localize(start, tz)), to_ns(localize(end, tz))


def missing(start: int, end: int, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of `[start, end)` not in any of the half-open `covered` intervals."""
    gaps: list[tuple[int, int]] = []
    cursor = start
    for lo, hi in sorted(covered):
        if hi <= cursor or lo >= end:
            continue
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def covered_keys(series: Series, ts_init_files: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open key intervals covered by catalog files with closed `ts_init` intervals."""
    offset = series.offset_ns
    return [(lo - offset, hi - offset + 1) for lo, hi in ts_init_files]


def split(series: Series, start: int, end: int) -> list[Chunk]:
    """Cut `[start, end)` into chunks no longer than the series' chunk size."""
    size = series.chunk_ns
    bounds = [*range(start, end, size), end]
    return [Chunk(series, lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]


def plan_chunks(series: Series, windows: Iterable[tuple[int, int]], covered: Iterable[tuple[int, int]]) -> list[Chunk]:
    """Chunks for every part of `windows` not yet `covered` (key intervals), oldest first."""
    done = list(covered)
    chunks: list[Chunk] = []
    for start, end in merge(windows):
        for lo, hi in missing(start, end, done):
            chunks.extend(split(series, lo, hi))
    return chunks


def merge(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals, sorted."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    series: Series
    windows: tuple[tuple[int, int], ...]


def plan_series(download: Download, instrument_ids: list[str]) -> list[SeriesPlan]:
    """Every (instrument, bar spec / tick type) series of a `Download` with its key windows."""
    windows: dict[Series, list[tuple[int, int]]] = {}
    for request in download.bars:
        for text in request.specs:
            bar = parse_bar_spec(text)
            window = bar_window(bar, request.start, request.end, download.tz)
            for iid in instrument_ids:
                windows.setdefault(Series(iid, bar=bar), []).append(window)
    for ticks in download.ticks:
        window = tick_window(ticks.start, ticks.end, download.tz)
        for tick_type in ticks.types:
            for iid in instrument_ids:
                windows.setdefault(Series(iid, tick_type=tick_type), []).append(window)
    return [SeriesPlan(series, tuple(merge(w))) for series, w in windows.items()]
