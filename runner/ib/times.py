"""Time helpers shared by the checks and the download engine (pure: no nautilus import)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC
NS = 1_000_000_000
DAY_NS = 86_400 * NS


class BadTimeZone(ValueError):
    pass


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadTimeZone(f"unknown time zone {name!r} (use an IANA name such as America/New_York)") from exc


def localize(value: dt.datetime, tz: str) -> dt.datetime:
    """A naive value is in `tz`; an aware one keeps its offset. Returns an aware UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.astimezone(UTC)


def to_ns(value: dt.datetime) -> int:
    """Unix nanoseconds of an aware datetime (exact, no float rounding)."""
    delta = value - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * NS + delta.microseconds * 1000


def from_ns(ns: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=ns // 1000)


def local_date(value: dt.datetime, tz: str) -> dt.date:
    """The calendar date of `value` in `tz` (naive values are already in `tz`)."""
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(zone(tz)).date()


def date_ns(day: dt.date) -> int:
    """Unix nanoseconds of midnight UTC of `day` (how nautilus stamps IB's daily bars)."""
    return (day - dt.date(1970, 1, 1)).days * DAY_NS


def fmt_ns(ns: int | None) -> str:
    if ns is None:
        return "-"
    return from_ns(ns).strftime("%Y-%m-%d %H:%M:%S") + "Z"
