"""`download:` — historical instruments, bars and ticks into a ParquetDataCatalog.

Types only; the rules that need more than a type (bar spec grammar, start < end, IB lookback
limits, time zones) live in `runner.validation.checks_download` so that they report file:line:col.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from runner.ib import pacing as ib_pacing
from runner.model.base import ClientId, Frozen, Seconds
from runner.model.clients import MarketDataType

TickType = Literal["TRADES", "BID_ASK"]


class BarRequest(Frozen):
    """Bars of one or more specs (e.g. `1-HOUR-LAST`) for every instrument, over one window."""

    specs: list[str] = Field(min_length=1)
    """Bar specs `STEP-AGGREGATION-PRICE`: steps 1/5/10/15/30-SECOND, 1/2/3/5/10/15/20/30-MINUTE,
    1/2/3/4/8-HOUR, 1-DAY, 1-WEEK, 1-MONTH; prices LAST, MID, BID, ASK."""
    start: dt.datetime
    """Window start, e.g. `2023-11-01 09:30` (naive values are in `download.tz`)."""
    end: dt.datetime
    """Window end (exclusive), after `start`. Day/week/month bars cover every date from the start
    date to the end date inclusive."""


class TickRequest(Frozen):
    """Historical ticks for every instrument over one window: `TRADES` (trade ticks) and/or
    `BID_ASK` (quote ticks)."""

    types: list[TickType] = Field(min_length=1)
    """`TRADES` → TradeTick, `BID_ASK` → QuoteTick."""
    start: dt.datetime
    """Window start (naive values are in `download.tz`)."""
    end: dt.datetime
    """Window end (exclusive), after `start`."""


class Pacing(Frozen):
    """Historical-data pacing limits ibrun schedules its requests within (IB's rules by default;
    error 162 still triggers a backoff and retry)."""

    max_requests: int = Field(ib_pacing.MAX_REQUESTS, ge=1)
    """At most this many requests ..."""
    window_seconds: float = Field(ib_pacing.WINDOW_SECONDS, gt=0)
    """... within this many seconds."""
    identical_cooldown_seconds: float = Field(ib_pacing.IDENTICAL_COOLDOWN_SECONDS, ge=0)
    """No identical request within this many seconds."""
    per_contract_max: int = Field(ib_pacing.PER_CONTRACT_MAX, ge=1)
    """At most this many requests for one contract ..."""
    per_contract_window_seconds: float = Field(ib_pacing.PER_CONTRACT_WINDOW_SECONDS, gt=0)
    """... within this many seconds."""

    def rules(self) -> ib_pacing.PacingRules:
        return ib_pacing.PacingRules(**self.model_dump())


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
    timeout: Seconds = 120
    """Per-request timeout in seconds."""
    concurrency: int = Field(4, ge=1, le=16)
    """Series (instrument x data type) fetched at the same time; all share one pacer."""
    max_retries: int = Field(8, ge=0, le=100)
    """Retries of one request after a pacing violation (IB error 162) or a timeout, with backoff."""
    pacing: Pacing | None = None
    """Pacing limits; default: IB's (for a simulated gateway: the limits it enforces)."""
    bars: list[BarRequest] = []
    """Bar windows; each spec of each entry is fetched for every instrument."""
    ticks: list[TickRequest] = []
    """Tick windows; each type of each entry is fetched for every instrument."""
