"""`data:` and `exec:` — the IB data and execution clients."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.model.base import AfterValidation, ClientId, Constraints, Frozen, Seconds, WholeSeconds, section

MarketDataType = Literal["REALTIME", "FROZEN", "DELAYED", "DELAYED_FROZEN"]


@section
class Subscription(Frozen):
    """What the built-in subscriber actor requests for one instrument."""

    instrument: str
    """Instrument id, in the spec's symbology."""
    quotes: bool = False
    trades: bool = False
    bars: list[str] = field(default_factory=list)
    """Bar specs such as `1-MINUTE-LAST` or `5-SECOND-MID`."""
    depth: Annotated[int, Constraints(ge=0, le=100)] = 0
    """Order book depth levels (0: no book)."""


@section
class DataClient(Frozen):
    """Maps to `InteractiveBrokersDataClientConfig`."""

    client_id: ClientId = 1
    market_data_type: MarketDataType = "REALTIME"
    use_regular_trading_hours: bool = True
    ignore_quote_tick_size_updates: bool = False
    handle_revised_bars: bool = False
    connection_timeout: WholeSeconds = 300
    request_timeout: WholeSeconds = 60
    """Historical-data/contract-details timeout (nautilus: `request_timeout_secs`)."""
    subscriptions: list[Subscription] = field(default_factory=list)


@section
class Routing(Frozen):
    """Maps to nautilus `RoutingConfig`."""

    default: bool = True
    """Route every order through this client."""
    venues: list[str] = field(default_factory=list)


def empty_account_is_unset(value: str | None) -> str | None:
    # `account_id: ${TWS_ACCOUNT-}` lets a spec validate in CI without the variable and still
    # defer to nautilus' own TWS_ACCOUNT fallback at run time.
    return value or None


@section
class ExecClient(Frozen):
    """Maps to `InteractiveBrokersExecClientConfig`."""

    client_id: ClientId = 1
    account_id: Annotated[str | None, AfterValidation(empty_account_is_unset)] = None
    """IB account; absent or empty (`${TWS_ACCOUNT-}`): nautilus reads `TWS_ACCOUNT` at start."""
    fetch_all_open_orders: bool = False
    track_option_exercise_from_position_update: bool = False
    connection_timeout: WholeSeconds = 300
    request_timeout: WholeSeconds = 60
    routing: Routing = field(default_factory=Routing)
    while_disconnected: Literal["reject", "hold"] = "reject"
    """Orders, modifies and cancels a strategy sends while the gateway is disconnected (IB's nightly
    restart, a network cut): `reject` them at once with the reason; `hold` them and send them, in
    order, once the gateway is back (rejected after `hold_timeout`)."""
    hold_timeout: Annotated[Seconds, Constraints(le=86_400)] = 60.0
    """Seconds an order is held at most (`while_disconnected: hold`); then it is rejected. An
    order held longer than the market moves is rarely still wanted."""
