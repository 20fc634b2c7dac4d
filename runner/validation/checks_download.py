"""Semantic checks of a spec's `download:` section, beyond what the types say.

`check_download(spec)` returns `[(json_path_tuple, message), ...]`; the validate stage turns each
path into file:line:col. No nautilus import (`ibrun validate` stays fast).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from runner.ib.barspec import BarSpecError, parse_bar_spec
from runner.ib.times import BadTimeZone, localize, zone

if TYPE_CHECKING:
    from runner.loading.document import JsonPath
    from runner.model import Spec
    from runner.model.download import BarRequest, Download, TickRequest
    from runner.validation.problems import Problem


def check_download(spec: Spec, now: dt.datetime | None = None) -> list[Problem]:
    """Every problem of `spec.download` (empty when there is no download section)."""
    download = spec.download
    if download is None:
        return []
    now = now or dt.datetime.now(dt.UTC)
    problems = check_instruments_present(spec)
    tz_ok = not (tz_problems := check_time_zone(download))
    problems += tz_problems
    check_lookback = spec.gateway.kind != "simulated"
    for i, request in enumerate(download.bars):
        path = ("download", "bars", i)
        problems += check_bar_specs(request, path)
        if tz_ok:
            problems += check_window(request, download.tz, path)
            if check_lookback:
                problems += check_bar_lookback(request, download.tz, now, path)
    for i, ticks in enumerate(download.ticks):
        path = ("download", "ticks", i)
        problems += check_tick_types(ticks, path)
        if tz_ok:
            problems += check_window(ticks, download.tz, path)
    return problems


def check_instruments_present(spec: Spec) -> list[Problem]:
    if spec.instruments.load_ids or spec.instruments.contracts:
        return []
    return [
        (
            ("download",),
            "a download needs instruments: list them in instruments.load_ids or instruments.contracts",
        )
    ]


def check_time_zone(download: Download) -> list[Problem]:
    try:
        zone(download.tz)
    except BadTimeZone as exc:
        return [(("download", "tz"), str(exc))]
    return []


def check_bar_specs(request: BarRequest, path: JsonPath) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for j, text in enumerate(request.specs):
        try:
            parse_bar_spec(text)
        except BarSpecError as exc:
            problems.append(((*path, "specs", j), str(exc)))
            continue
        if text in seen:
            problems.append(((*path, "specs", j), f"bar spec {text!r} is listed twice"))
        seen.add(text)
    return problems


def check_tick_types(request: TickRequest, path: JsonPath) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for j, tick_type in enumerate(request.types):
        if tick_type in seen:
            problems.append(((*path, "types", j), f"tick type {tick_type!r} is listed twice"))
        seen.add(tick_type)
    return problems


def check_window(request: BarRequest | TickRequest, tz: str, path: JsonPath) -> list[Problem]:
    start, end = localize(request.start, tz), localize(request.end, tz)
    if end <= start:
        return [((*path, "end"), f"end ({request.end}) must be after start ({request.start})")]
    return []


def check_bar_lookback(request: BarRequest, tz: str, now: dt.datetime, path: JsonPath) -> list[Problem]:
    """IB serves bars of 30 seconds or less only for the last six months."""
    start = localize(request.start, tz)
    problems: list[Problem] = []
    for text in request.specs:
        try:
            spec = parse_bar_spec(text)
        except BarSpecError:
            continue
        limit = spec.lookback_days
        if limit is not None and start < now - dt.timedelta(days=limit):
            problems.append(
                (
                    (*path, "start"),
                    f"IB serves {spec} bars only for the last {limit} days;"
                    f" start {request.start} is older (use 1-MINUTE or larger bars, or a later start)",
                )
            )
    return problems
