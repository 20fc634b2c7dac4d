"""`data:` and `exec:` — the IB data and execution clients."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from runner.model.base import ClientId, Frozen, Seconds

MarketDataType = Literal["REALTIME", "FROZEN", "DELAYED", "DELAYED_FROZEN"]


class Subscription(Frozen):
    """What the built-in subscriber actor requests for one instrument."""

    instrument: str
    """Instrument id, in the spec's symbology."""
    quotes: bool = False
    trades: bool = False
    bars: list[str] = []
    """Bar specs such as `1-MINUTE-LAST` or `5-SECOND-MID`."""
    depth: int = Field(0, ge=0, le=100)
    """Order book depth levels (0: no book)."""


class DataClient(Frozen):
    """Maps to `InteractiveBrokersDataClientConfig`."""

    client_id: ClientId = 1
    market_data_type: MarketDataType = "REALTIME"
    use_regular_trading_hours: bool = True
    ignore_quote_tick_size_updates: bool = False
    handle_revised_bars: bool = False
    connection_timeout: Seconds = 300
    request_timeout: Seconds = 60
    """Historical-data/contract-details timeout (nautilus: `request_timeout_secs`)."""
    subscriptions: list[Subscription] = []


class Routing(Frozen):
    """Maps to nautilus `RoutingConfig`."""

    default: bool = True
    """Route every order through this client."""
    venues: list[str] = []


class ExecClient(Frozen):
    """Maps to `InteractiveBrokersExecClientConfig`."""

    client_id: ClientId = 1
    account_id: str | None = None
    """IB account; absent or empty (`${TWS_ACCOUNT-}`): nautilus reads `TWS_ACCOUNT` at start."""
    fetch_all_open_orders: bool = False
    track_option_exercise_from_position_update: bool = False
    connection_timeout: Seconds = 300
    request_timeout: Seconds = 60
    routing: Routing = Field(default_factory=Routing)

    @field_validator("account_id")
    @classmethod
    def _empty_account_is_unset(cls, value: str | None) -> str | None:
        # `account_id: ${TWS_ACCOUNT-}` lets a spec validate in CI without the variable and
        # still defer to nautilus' own TWS_ACCOUNT fallback at run time.
        return value or None
