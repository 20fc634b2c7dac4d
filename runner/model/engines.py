"""`node.data_engine`, `node.risk_engine`, `node.exec_engine`, `node.portfolio`: nautilus' engines
in nautilus' own field names (units are in the names: `_ms`, `_secs`, `_mins`).

Every field is optional: a field the spec leaves out is not passed, so nautilus' default stays in
force (the compiler passes only what is set). Maps to `LiveDataEngineConfig`,
`LiveRiskEngineConfig`, `LiveExecEngineConfig` and `PortfolioConfig`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from runner.model.base import Constraints, Frozen, Seconds, section

PositiveInt = Annotated[int, Constraints(ge=1)]
NonNegativeInt = Annotated[int, Constraints(ge=0)]
Name = Annotated[str, Constraints(min_length=1)]
# IB's and nautilus' rate form: `100/00:00:01` = at most 100 commands per second.
Rate = Annotated[str, Constraints(pattern=r"^[1-9][0-9]*/[0-9]{2}:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$")]
# The time aggregations of nautilus' `BarAggregation`: those a time-bar origin offset applies to.
TimeAggregation = Literal["MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"]


@section
class DataEngine(Frozen):
    """Maps to `LiveDataEngineConfig`; unset fields keep nautilus' defaults."""

    time_bars_timestamp_on_close: bool | None = None
    time_bars_interval_type: Literal["left-open", "right-open"] | None = None
    time_bars_skip_first_non_full_bar: bool | None = None
    time_bars_build_with_no_updates: bool | None = None
    time_bars_origin_offset: dict[TimeAggregation, float] | None = None
    """Seconds added to the origin of time bars, per aggregation (e.g. `{MINUTE: 30}`: minute
    bars from hh:mm:30); nautilus: a `pd.Timedelta` per `BarAggregation`."""
    time_bars_build_delay: NonNegativeInt | None = None
    """Microseconds to wait before a time bar is built and emitted."""
    validate_data_sequence: bool | None = None
    buffer_deltas: bool | None = None
    emit_quotes_from_book: bool | None = None
    emit_quotes_from_book_depths: bool | None = None
    external_clients: list[Name] | None = None
    """Client ids of external data streams (commands for them go to the message bus only)."""
    qsize: PositiveInt | None = None
    graceful_shutdown_on_exception: bool | None = None
    debug: bool | None = None


@section
class RiskEngine(Frozen):
    """Maps to `LiveRiskEngineConfig`: pre-trade checks and order rate limits."""

    bypass: bool | None = None
    """Skip every pre-trade check and rate limit (duplicate ids are still refused)."""
    max_order_submit_rate: Rate | None = None
    """At most N submit commands per interval, `N/HH:MM:SS` (nautilus default `100/00:00:01`)."""
    max_order_modify_rate: Rate | None = None
    """At most N modify commands per interval, `N/HH:MM:SS`."""
    max_notional_per_order: dict[str, Annotated[int, Constraints(ge=0)]] | None = None
    """Largest notional of one order, per instrument id (`{AAPL.NASDAQ: 100000}`)."""
    qsize: PositiveInt | None = None
    graceful_shutdown_on_exception: bool | None = None
    debug: bool | None = None


@section
class ExecEngine(Frozen):
    """Maps to `LiveExecEngineConfig`: reconciliation, order/position checks, snapshots, purges."""

    # -- start-up reconciliation with the venue
    reconciliation: bool | None = None
    """Reconcile orders, fills and positions with IB at start (nautilus default: true)."""
    reconciliation_lookback_mins: NonNegativeInt | None = None
    """How far back to reconcile (0 or unset: as far as IB reports)."""
    reconciliation_instrument_ids: list[str] | None = None
    """Reconcile only these instruments (unset: all)."""
    reconciliation_startup_delay_secs: Seconds | None = None
    filter_unclaimed_external_orders: bool | None = None
    """Drop orders found at IB that no strategy claims (`external_order_claims`)."""
    filter_position_reports: bool | None = None
    """Ignore IB's position reports (another node trades the same account)."""
    filtered_client_order_ids: list[Name] | None = None
    generate_missing_orders: bool | None = None
    """Generate orders to align positions that differ from IB's (nautilus default: true)."""
    # -- continuous checks while running
    inflight_check_interval_ms: NonNegativeInt | None = None
    inflight_check_threshold_ms: NonNegativeInt | None = None
    inflight_check_retries: NonNegativeInt | None = None
    open_check_interval_secs: Seconds | None = None
    """Poll IB's open orders this often (unset: no open-order check)."""
    open_check_open_only: bool | None = None
    open_check_lookback_mins: PositiveInt | None = None
    open_check_threshold_ms: NonNegativeInt | None = None
    open_check_missing_retries: NonNegativeInt | None = None
    max_single_order_queries_per_cycle: PositiveInt | None = None
    single_order_query_delay_ms: NonNegativeInt | None = None
    position_check_interval_secs: Seconds | None = None
    """Compare positions with IB's this often (unset: no position check)."""
    position_check_lookback_mins: PositiveInt | None = None
    position_check_threshold_ms: NonNegativeInt | None = None
    position_check_retries: NonNegativeInt | None = None
    own_books_audit_interval_secs: Seconds | None = None
    # -- the cache behind the engine
    load_cache: bool | None = None
    """Load orders and positions from the cache database at start (nautilus default: true)."""
    manage_own_order_books: bool | None = None
    snapshot_orders: bool | None = None
    snapshot_positions: bool | None = None
    snapshot_positions_interval_secs: Seconds | None = None
    external_clients: list[Name] | None = None
    """Client ids of external execution streams (commands for them go to the message bus only)."""
    allow_overfills: bool | None = None
    purge_closed_orders_interval_mins: PositiveInt | None = None
    purge_closed_orders_buffer_mins: NonNegativeInt | None = None
    purge_closed_positions_interval_mins: PositiveInt | None = None
    purge_closed_positions_buffer_mins: NonNegativeInt | None = None
    purge_account_events_interval_mins: PositiveInt | None = None
    purge_account_events_lookback_mins: NonNegativeInt | None = None
    purge_from_database: bool | None = None
    qsize: PositiveInt | None = None
    graceful_shutdown_on_exception: bool | None = None
    debug: bool | None = None


@section
class Portfolio(Frozen):
    """Maps to `PortfolioConfig`."""

    use_mark_prices: bool | None = None
    use_mark_xrates: bool | None = None
    bar_updates: bool | None = None
    convert_to_account_base_currency: bool | None = None
    min_account_state_logging_interval_ms: PositiveInt | None = None
    snapshot_interval_ms: PositiveInt | None = None
    debug: bool | None = None
