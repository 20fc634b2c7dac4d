"""`download:` — historical instruments, bars and ticks into a ParquetDataCatalog."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from runner.model.base import ClientId, Frozen, Seconds
from runner.model.clients import MarketDataType


class BarRequest(Frozen):
    """Bars of one or more specs (e.g. `1-HOUR-LAST`) over one time window."""

    specs: list[str] = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime


class TickRequest(Frozen):
    """Historical ticks (`TRADES`, `BID_ASK`) over one time window."""

    types: list[Literal["TRADES", "BID_ASK"]] = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime


class Download(Frozen):
    """What `ibrun download` fetches; instruments come from the spec's `instruments:` section."""

    catalog: str = "./catalog"
    """ParquetDataCatalog directory (relative to the working directory)."""
    client_id: ClientId = 5
    market_data_type: MarketDataType = "REALTIME"
    tz: str = "UTC"
    """Time zone of naive `start`/`end` values, e.g. `America/New_York`."""
    use_rth: bool = True
    timeout: Seconds = 120
    """Per-request timeout in seconds."""
    bars: list[BarRequest] = []
    ticks: list[TickRequest] = []
