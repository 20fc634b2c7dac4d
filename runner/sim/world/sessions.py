"""When each instrument trades: exchange calendars (weekends, holidays) and daily session
templates, giving trading sessions (`session`, IB's tradingHours) and regular sessions
(`liquidSession`, IB's liquidHours) as epoch windows.

Calendars: "NYSE" and "CME" (weekdays less the exchange's full-day holidays, from the table
`holidays.json` computed with the `holidays` library), "weekdays" and "24/7". A session
template is "HHMM-HHMM" in the instrument's time zone; when start > end the session opens the
evening before its trading day (futures, forex). Derivatives stop trading after their last
trade date. With `always_open` every instrument trades around the clock every day (the demo and
the end-to-end tests run at any hour); expiries still apply.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from runner.sim.world.records import ContractRecord

ALWAYS = "24/7"
WEEKDAYS = "weekdays"
ALL_DAY = "0000-2359"
_DAY = dt.timedelta(days=1)
_LOOKAHEAD_DAYS = 10

Window = tuple[int, int, dt.date]
"""[start, end) in epoch seconds and the trading day it belongs to."""


@lru_cache(maxsize=1)
def holiday_table() -> dict[str, frozenset[str]]:
    text = resources.files("runner.sim.world").joinpath("holidays.json").read_text()
    data = json.loads(text)
    return {name: frozenset(days) for name, days in data.items() if name not in ("source", "years")}


def is_trading_day(calendar: str, day: dt.date) -> bool:
    if calendar == ALWAYS:
        return True
    if day.weekday() >= 5:
        return False
    closed = holiday_table().get(calendar)
    return closed is None or day.strftime("%Y%m%d") not in closed


@dataclass(frozen=True, slots=True)
class Template:
    calendar: str
    time_zone: str
    start: int
    """Minutes after local midnight."""
    end: int
    """Minutes after local midnight; 1440 = midnight at the end of the day."""
    last_day: dt.date | None

    @property
    def overnight(self) -> bool:
        return self.start >= self.end


def _minutes(text: str) -> int:
    if len(text) != 4 or not text.isdigit():
        raise ValueError(f"session time {text!r} is not HHMM")
    minutes = int(text[:2]) * 60 + int(text[2:])
    return 1440 if minutes == 23 * 60 + 59 else minutes


def _last_day(record: ContractRecord) -> dt.date | None:
    expiry = record.lastTradeDateOrContractMonth
    if record.secType in ("FUT", "OPT", "FOP") and len(expiry) >= 8 and expiry[:8].isdigit():
        return dt.date(int(expiry[:4]), int(expiry[4:6]), int(expiry[6:8]))
    return None


@lru_cache(maxsize=4096)
def _template(calendar: str, time_zone: str, session: str, last_day: dt.date | None) -> Template:
    start, _, end = (session if session not in ("", "24h") else ALL_DAY).partition("-")
    return Template(calendar, time_zone, _minutes(start), _minutes(end), last_day)


def template_of(record: ContractRecord, rth: bool, always_open: bool) -> Template:
    last_day = _last_day(record)
    if always_open:
        return _template(ALWAYS, record.timeZoneId, ALL_DAY, last_day)
    session = (record.liquidSession or record.session) if rth else record.session
    return _template(record.calendar, record.timeZoneId, session, last_day)


def _at(day: dt.date, minutes: int, tz: ZoneInfo) -> int:
    if minutes >= 1440:
        day, minutes = day + _DAY, minutes - 1440
    return int(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz).timestamp())


def day_window(t: Template, day: dt.date) -> Window | None:
    """The session of trading day `day`, or None when the market does not trade that day."""
    if not is_trading_day(t.calendar, day) or (t.last_day is not None and day > t.last_day):
        return None
    tz = ZoneInfo(t.time_zone)
    opens = day - _DAY if t.overnight else day
    return _at(opens, t.start, tz), _at(day, t.end, tz), day


def windows(t: Template, start: float, end: float) -> list[Window]:
    """Sessions overlapping [start, end), oldest first."""
    tz = ZoneInfo(t.time_zone)
    day = dt.datetime.fromtimestamp(start, tz).date() - _DAY
    last = dt.datetime.fromtimestamp(end, tz).date() + _DAY
    found = []
    while day <= last:
        window = day_window(t, day)
        if window is not None and window[1] > start and window[0] < end:
            found.append(window)
        day += _DAY
    return found


def hours_text(t: Template, days: list[dt.date]) -> str:
    """IB's tradingHours/liquidHours layout: "20240102:0930-20240102:1600;20240106:CLOSED"."""
    tz = ZoneInfo(t.time_zone)
    parts = []
    for day in days:
        window = day_window(t, day)
        if window is None:
            parts.append(f"{day:%Y%m%d}:CLOSED")
            continue
        opens, closes = (dt.datetime.fromtimestamp(v, tz) for v in window[:2])
        parts.append(f"{opens:%Y%m%d:%H%M}-{closes:%Y%m%d:%H%M}")
    return ";".join(parts)


class MarketHours:
    """Open/closed per instrument at a time, cached until the next change (the market clock asks
    for every subscription on every tick)."""

    def __init__(self, always_open: bool) -> None:
        self.always_open = always_open
        self._state: dict[Template, tuple[bool, float, float]] = {}
        """template → (open, valid from, valid until)."""
        self._texts: dict[tuple[Template, Template, dt.date], tuple[str, str]] = {}

    def template(self, record: ContractRecord, rth: bool = False) -> Template:
        return template_of(record, rth, self.always_open)

    def is_open(self, record: ContractRecord, now: float, rth: bool = False) -> bool:
        t = template_of(record, rth, self.always_open)
        state = self._state.get(t)
        if state is None or not state[1] <= now < state[2]:
            state = self._compute(t, now)
            self._state[t] = state
        return state[0]

    def _compute(self, t: Template, now: float) -> tuple[bool, float, float]:
        previous_end = now - _LOOKAHEAD_DAYS * 86_400.0
        for opens, closes, _ in windows(t, now - 3 * 86_400, now + _LOOKAHEAD_DAYS * 86_400):
            if opens <= now < closes:
                return True, opens, closes
            if now < opens:
                return False, max(previous_end, now - 86_400), opens
            previous_end = closes
        return False, now, now + 86_400.0  # nothing in sight (expired): ask again tomorrow

    def session_end(self, record: ContractRecord, now: float, rth: bool = False) -> float | None:
        """When the session open at `now` (or else the next one) closes; None: no session ahead."""
        t = template_of(record, rth, self.always_open)
        for _, closes, _ in windows(t, now, now + _LOOKAHEAD_DAYS * 86_400):
            if closes > now:
                return float(closes)
        return None

    def next_open(self, record: ContractRecord, now: float, rth: bool = False) -> float | None:
        t = template_of(record, rth, self.always_open)
        for opens, closes, _ in windows(t, now, now + _LOOKAHEAD_DAYS * 86_400):
            if closes > now:
                return float(max(opens, now))
        return None

    def last_traded(self, record: ContractRecord, now: float) -> float:
        """`now` while the market trades, else the last moment it traded (quotes go stale)."""
        if self.is_open(record, now):
            return now
        t = template_of(record, False, self.always_open)
        past = [w for w in windows(t, now - _LOOKAHEAD_DAYS * 86_400, now) if w[1] <= now]
        return float(past[-1][1] - 1) if past else now

    def windows(self, record: ContractRecord, start: float, end: float, rth: bool) -> list[Window]:
        return windows(template_of(record, rth, self.always_open), start, end)

    def hours_text(self, record: ContractRecord, days: list[dt.date], rth: bool) -> str:
        return hours_text(template_of(record, rth, self.always_open), days)

    def contract_hours(self, record: ContractRecord, today: dt.date) -> tuple[str, str]:
        """(tradingHours, liquidHours) from yesterday to five days ahead, as IB lists them;
        cached per template and day (a chain of hundreds of contracts shares a few)."""
        trading, liquid = template_of(record, False, self.always_open), template_of(record, True, self.always_open)
        key = (trading, liquid, today)
        texts = self._texts.get(key)
        if texts is None:
            days = [today + dt.timedelta(days=offset) for offset in range(-1, 6)]
            texts = (hours_text(trading, days), hours_text(liquid, days))
            if len(self._texts) > 4096:
                self._texts.clear()
            self._texts[key] = texts
        return texts
