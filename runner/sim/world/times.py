"""IB's text forms of times, durations and bar sizes, as clients write them in requests."""

from __future__ import annotations

import calendar
import datetime as dt
import time
from zoneinfo import ZoneInfo

_UNITS = {"S": 1, "D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400, "Y": 365 * 86_400}
_BAR_UNITS = {"sec": 1, "min": 60, "hour": 3600, "day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}


class RequestError(ValueError):
    """A request value IB would refuse ("Error validating request")."""


def parse_duration(text: str) -> int:
    """`"2 D"` → seconds."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].upper() not in _UNITS:
        raise RequestError(f"invalid duration {text!r}")
    return int(parts[0]) * _UNITS[parts[1].upper()]


def parse_bar_size(text: str) -> int:
    """`"5 mins"` → seconds."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise RequestError(f"invalid bar size {text!r}")
    unit_name = parts[1].lower().rstrip("s")
    if unit_name == "min" or unit_name.startswith("min"):
        unit_name = "min"
    if unit_name not in _BAR_UNITS:
        raise RequestError(f"invalid bar size {text!r}")
    return int(parts[0]) * _BAR_UNITS[unit_name]


def parse_time(text: str) -> int:
    """IB date-time: "YYYYMMDD HH:MM:SS [TZ]", "YYYYMMDD-HH:MM:SS" (UTC) or "YYYYMMDD"."""
    text = text.strip()
    if not text:
        return int(time.time())
    if "-" in text[:9]:
        return calendar.timegm(time.strptime(text[:17], "%Y%m%d-%H:%M:%S"))
    parts = text.split()
    if len(parts) == 1:
        return calendar.timegm(time.strptime(parts[0][:8], "%Y%m%d"))
    naive = calendar.timegm(time.strptime(f"{parts[0]} {parts[1]}", "%Y%m%d %H:%M:%S"))
    if len(parts) > 2 and parts[2].upper() not in ("UTC", "GMT"):
        local = dt.datetime.strptime(f"{parts[0]} {parts[1]}", "%Y%m%d %H:%M:%S")
        return int(local.replace(tzinfo=ZoneInfo(parts[2])).timestamp())
    return naive


def parse_good_till(text: str) -> int | None:
    """An order's goodTillDate as epoch seconds (UTC), or None when it cannot be read."""
    text = text.strip()
    for fmt in ("%Y%m%d %H:%M:%S", "%Y%m%d-%H:%M:%S", "%Y%m%d"):
        try:
            return calendar.timegm(time.strptime(" ".join(text.split()[:2]) if " " in text else text, fmt))
        except ValueError:
            continue
    return None
