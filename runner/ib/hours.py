"""IB trading hours: when a contract's market is open, from its ContractDetails (pure: no nautilus).

ContractDetails carry `tradingHours` (and `liquidHours`, the regular session) as `;`-separated
days in the contract's `timeZoneId`. Two layouts are in use:

- current: ``20240102:0930-20240102:1600;20240103:CLOSED`` (a session may end the next day:
  ``20240101:1700-20240102:1600``);
- older: ``20090507:0700-1830,1830-2330;20090508:CLOSED``.

    >>> hours = parse_trading_hours("20240102:0930-20240102:1600", "US/Eastern")
    >>> hours.is_open(dt.datetime(2024, 1, 2, 15, 0, tzinfo=dt.UTC))
    True
    >>> hours.is_open(dt.datetime(2024, 1, 2, 22, 0, tzinfo=dt.UTC))
    False
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class TradingHours:
    sessions: tuple[tuple[dt.datetime, dt.datetime], ...]
    """Open intervals [start, end) as aware UTC datetimes, sorted."""
    first_day: dt.date | None
    last_day: dt.date | None
    """The days the string covers (a CLOSED day counts): outside them nothing is known."""

    def is_open(self, at: dt.datetime) -> bool | None:
        """Whether the market is open at ``at`` (aware); None when the hours do not cover it."""
        if self.first_day is None or self.last_day is None:
            return None
        day = at.astimezone(dt.UTC).date()
        # A day's sessions may start the evening before (futures, forex): allow one day of slack.
        if day < self.first_day - dt.timedelta(days=1) or day > self.last_day + dt.timedelta(days=1):
            return None
        return any(start <= at < end for start, end in self.sessions)


class BadTradingHours(ValueError):
    pass


def parse_trading_hours(text: str, time_zone: str) -> TradingHours:
    """Parse IB's `tradingHours`/`liquidHours` in ``time_zone``; BadTradingHours if malformed."""
    try:
        tz = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadTradingHours(f"unknown time zone {time_zone!r}") from error
    sessions: list[tuple[dt.datetime, dt.datetime]] = []
    days: list[dt.date] = []
    for segment in filter(None, (part.strip() for part in text.split(";"))):
        day_text, _, rest = segment.partition(":")
        day = _date(day_text)
        days.append(day)
        if rest.upper() == "CLOSED":
            continue
        for window in rest.split(","):
            sessions.append(_window(day, window, tz))
    sessions.sort()
    return TradingHours(tuple(sessions), min(days, default=None), max(days, default=None))


def _window(day: dt.date, window: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start_text, sep, end_text = window.partition("-")
    if not sep:
        raise BadTradingHours(f"expected START-END, got {window!r}")
    start = _moment(day, start_text, tz)
    end = _moment(day, end_text, tz)
    if end <= start and ":" not in end_text:  # older layout: a session past midnight
        end += dt.timedelta(days=1)
    if end.hour == 23 and end.minute == 59:  # IB writes "until midnight" as 2359 (24-hour markets)
        end += dt.timedelta(minutes=1)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _moment(day: dt.date, text: str, tz: ZoneInfo) -> dt.datetime:
    if ":" in text:  # current layout: YYYYMMDD:HHMM
        day_text, _, text = text.partition(":")
        day = _date(day_text)
    if len(text) != 4 or not text.isdigit():
        raise BadTradingHours(f"expected HHMM, got {text!r}")
    hour, minute = int(text[:2]), int(text[2:])
    if hour == 24 and minute == 0:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    except ValueError as error:
        raise BadTradingHours(f"bad time {text!r}") from error


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError as error:
        raise BadTradingHours(f"expected YYYYMMDD, got {text!r}") from error
