"""`download:` — historical instruments, bars and ticks into a ParquetDataCatalog.

Types only; the rules that need more than a type (bar spec grammar, start < end, IB lookback
limits, time zones) live in `runner.validation.checks_download` so that they report file:line:col.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from typing import Annotated, Literal

from runner.model.base import ClientId, Constraints, Frozen, WholeSeconds, section
from runner.model.clients import MarketDataType
from runner.model.pacing import Pacing

TickType = Literal["TRADES", "BID_ASK"]


@section
class BarRequest(Frozen):
    """Bars of one or more specs (e.g. `1-HOUR-LAST`) for every instrument, over one window."""

    specs: Annotated[list[str], Constraints(min_length=1)]
    """Bar specs `STEP-AGGREGATION-PRICE`: steps 1/5/10/15/30-SECOND, 1/2/3/5/10/15/20/30-MINUTE,
    1/2/3/4/8-HOUR, 1-DAY, 1-WEEK, 1-MONTH; prices LAST, MID, BID, ASK."""
    start: dt.datetime
    """Window start, e.g. `2023-11-01 09:30` (naive values are in `download.tz`)."""
    end: dt.datetime
    """Window end (exclusive), after `start`. Day/week/month bars cover every date from the start
    date to the end date inclusive."""


@section
class TickRequest(Frozen):
    """Historical ticks for every instrument over one window: `TRADES` (trade ticks) and/or
    `BID_ASK` (quote ticks)."""

    types: Annotated[list[TickType], Constraints(min_length=1)]
    """`TRADES` → TradeTick, `BID_ASK` → QuoteTick."""
    start: dt.datetime
    """Window start (naive values are in `download.tz`)."""
    end: dt.datetime
    """Window end (exclusive), after `start`."""


@section
class Download(Frozen):
    """What `ibrun download` fetches; instruments come from the spec's `instruments:` section
    (`load_ids` and `contracts`, chains included). Re-running skips what the catalog holds."""

    catalog: str = "./catalog"
    """ParquetDataCatalog directory (relative to the working directory; `--catalog` overrides)."""
    client_id: ClientId = 5
    """IB API client id of the download connection."""
    market_data_type: MarketDataType = "REALTIME"
    """`DELAYED_FROZEN` is often enough without market data subscriptions."""
    tz: str = "UTC"
    """IANA time zone of naive `start`/`end` values, e.g. `America/New_York`."""
    use_rth: bool = True
    """Regular trading hours only."""
    timeout: WholeSeconds = 120
    """Per-request timeout in seconds."""
    concurrency: Annotated[int, Constraints(ge=1, le=16)] = 4
    """Series (instrument x data type) fetched at the same time; all share one pacer."""
    max_retries: Annotated[int, Constraints(ge=0, le=100)] = 8
    """Retries of one request after a pacing violation (IB error 162) or a timeout, with backoff."""
    pacing: Pacing | None = None
    """Pacing limits; default: IB's (for a simulated gateway: the limits it enforces)."""
    bars: list[BarRequest] = field(default_factory=list)
    """Bar windows; each spec of each entry is fetched for every instrument."""
    ticks: list[TickRequest] = field(default_factory=list)
    """Tick windows; each type of each entry is fetched for every instrument."""
