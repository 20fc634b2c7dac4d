"""Parse IB bar specifications such as `1-HOUR-LAST` (pure: no nautilus import).

The grammar is `STEP-AGGREGATION-PRICE`: every time-based bar size the IB adapter can request
(the guide's "Bar Specifications") times the price types `LAST`, `MID`, `BID`, `ASK`.

    >>> spec = parse_bar_spec("5-MINUTE-MID")
    >>> spec.ib_bar_size, spec.what_to_show, spec.seconds
    ('5 mins', 'MIDPOINT', 300)
"""

from __future__ import annotations

from dataclasses import dataclass

# Allowed steps per aggregation: the bar sizes IB's reqHistoricalData accepts.
STEPS: dict[str, tuple[int, ...]] = {
    "SECOND": (1, 5, 10, 15, 30),
    "MINUTE": (1, 2, 3, 5, 10, 15, 20, 30),
    "HOUR": (1, 2, 3, 4, 8),
    "DAY": (1,),
    "WEEK": (1,),
    "MONTH": (1,),
}
PRICE_TYPES: tuple[str, ...] = ("LAST", "MID", "BID", "ASK")
WHAT_TO_SHOW: dict[str, str] = {"LAST": "TRADES", "MID": "MIDPOINT", "BID": "BID", "ASK": "ASK"}
AGGREGATION_SECONDS: dict[str, int] = {
    "SECOND": 1,
    "MINUTE": 60,
    "HOUR": 3600,
    "DAY": 86400,
    "WEEK": 7 * 86400,
    "MONTH": 30 * 86400,
}
# aggregation -> (singular, plural) unit in IB's barSizeSetting
_IB_UNITS: dict[str, tuple[str, str]] = {
    "SECOND": ("sec", "secs"),
    "MINUTE": ("min", "mins"),
    "HOUR": ("hour", "hours"),
    "DAY": ("day", "days"),
    "WEEK": ("week", "weeks"),
    "MONTH": ("month", "months"),
}
_ALIASES: dict[str, str] = {
    "S": "SECOND",
    "SEC": "SECOND",
    "SECS": "SECOND",
    "SECONDS": "SECOND",
    "M": "MINUTE",
    "MIN": "MINUTE",
    "MINS": "MINUTE",
    "MINUTES": "MINUTE",
    "H": "HOUR",
    "HR": "HOUR",
    "HOURS": "HOUR",
    "D": "DAY",
    "DAYS": "DAY",
    "DAILY": "DAY",
    "W": "WEEK",
    "WEEKS": "WEEK",
    "WEEKLY": "WEEK",
    "MONTHS": "MONTH",
    "MONTHLY": "MONTH",
    "MIDPOINT": "MID",
    "TRADES": "LAST",
    "TRADE": "LAST",
}

# IB's "valid duration and bar size settings": the longest duration one request may span,
# per bar size, in seconds (1800 S, 3600 S, 14400 S, 28800 S, 1 D, 2 D, 1 W, 1 M, 1 Y).
_MAX_DURATION: dict[tuple[int, str], int] = {
    (1, "SECOND"): 1800,
    (5, "SECOND"): 3600,
    (10, "SECOND"): 14400,
    (15, "SECOND"): 14400,
    (30, "SECOND"): 28800,
    (1, "MINUTE"): 86400,
    (2, "MINUTE"): 2 * 86400,
}
_WEEK_S, _MONTH_S, _YEAR_S = 7 * 86400, 30 * 86400, 365 * 86400
# IB serves bars of 30 seconds or less only for the last six months.
SMALL_BAR_LOOKBACK_DAYS = 180


class BarSpecError(ValueError):
    """A bar specification that IB cannot serve; the message says what would be valid."""


@dataclass(frozen=True, slots=True)
class BarSpec:
    step: int
    aggregation: str
    price_type: str

    def __str__(self) -> str:
        return f"{self.step}-{self.aggregation}-{self.price_type}"

    @property
    def seconds(self) -> int:
        """Nominal length of one bar (a month counts as 30 days)."""
        return self.step * AGGREGATION_SECONDS[self.aggregation]

    @property
    def is_intraday(self) -> bool:
        return self.aggregation in ("SECOND", "MINUTE", "HOUR")

    @property
    def ib_bar_size(self) -> str:
        """IB's `barSizeSetting`, e.g. `1 hour`, `5 mins`, `1 secs`."""
        singular, plural = _IB_UNITS[self.aggregation]
        if self.aggregation == "SECOND":
            return f"{self.step} secs"
        return f"{self.step} {singular if self.step == 1 else plural}"

    @property
    def what_to_show(self) -> str:
        return WHAT_TO_SHOW[self.price_type]

    @property
    def max_request_seconds(self) -> int:
        """Longest window one IB request for this bar size may cover."""
        if (self.step, self.aggregation) in _MAX_DURATION:
            return _MAX_DURATION[(self.step, self.aggregation)]
        if self.aggregation == "MINUTE" and self.step < 30:
            return _WEEK_S
        if self.is_intraday:
            return _MONTH_S
        return _YEAR_S

    @property
    def lookback_days(self) -> int | None:
        """How far back IB serves this bar size (None: no documented limit)."""
        return SMALL_BAR_LOOKBACK_DAYS if self.aggregation == "SECOND" else None


def _normalise(token: str, valid: tuple[str, ...] | list[str], what: str) -> str:
    if token in valid:
        return token
    upper = token.strip().upper()
    guess = _ALIASES.get(upper, upper)
    import difflib  # only for a wrong token: ~1 ms `ibrun validate` of a good spec skips

    close = [guess] if guess in valid else difflib.get_close_matches(upper, list(valid), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise BarSpecError(f"unknown {what} {token!r}{hint}; expected one of {', '.join(valid)}")


def parse_bar_spec(text: str) -> BarSpec:
    """Parse `STEP-AGGREGATION-PRICE` (e.g. `1-HOUR-LAST`); BarSpecError if IB has no such bars."""
    if not isinstance(text, str):
        raise BarSpecError(f"a bar spec is a string like '1-HOUR-LAST', not {type(text).__name__}")
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(parts):
        raise BarSpecError(f"bar spec {text!r} is not STEP-AGGREGATION-PRICE (e.g. '1-HOUR-LAST', '5-MINUTE-MID')")
    step_text, agg_text, price_text = parts
    if not step_text.isdigit() or int(step_text) < 1:
        raise BarSpecError(f"bar spec {text!r}: step {step_text!r} is not a positive integer")
    aggregation = _normalise(agg_text, list(STEPS), "aggregation")
    price_type = _normalise(price_text, PRICE_TYPES, "price type")
    step = int(step_text)
    if step not in STEPS[aggregation]:
        allowed = ", ".join(str(s) for s in STEPS[aggregation])
        raise BarSpecError(f"IB has no {step}-{aggregation} bars; {aggregation} steps are {allowed}")
    return BarSpec(step, aggregation, price_type)


def all_bar_specs() -> list[str]:
    """Every bar spec the grammar accepts, in a stable order."""
    return [f"{step}-{agg}-{price}" for agg, steps in STEPS.items() for step in steps for price in PRICE_TYPES]
