"""`node.cache`, `node.message_bus`, `node.streaming`: where a node keeps its state.

With a Redis `database` under `cache`, orders, positions and accounts outlive the process: a
restarted node loads them before it reconciles with IB. Maps to nautilus' `CacheConfig`,
`MessageBusConfig`, `DatabaseConfig` and `StreamingConfig`; unset fields keep nautilus' defaults.
nautilus 1.231 has no Redis database number: two sections share a database when they name the
same server (host and port).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from runner.model.base import Constraints, Frozen, ImportPath, Port, Seconds, WholeSeconds, section
from runner.model.engines import NonNegativeInt, PositiveInt
from runner.model.gateway import SecretRef

# Where nautilus' Redis client connects when `host`/`port` are unset.
REDIS_DEFAULT_HOST = "127.0.0.1"
REDIS_DEFAULT_PORT = 6379


@section
class Database(Frozen):
    """A Redis server (nautilus `DatabaseConfig`, type redis: the only one nautilus supports)."""

    host: Annotated[str, Constraints(min_length=1)] | None = None
    """Default 127.0.0.1."""
    port: Port | None = None
    """Default 6379."""
    username: Annotated[str, Constraints(min_length=1)] | None = None
    """Redis ACL user (masked in `render`)."""
    password: SecretRef | None = None
    """A reference, never the password: `{env: REDIS_PASSWORD}` or `{file: ./secrets/redis}`."""
    ssl: bool | None = None
    connection_timeout: WholeSeconds | None = None
    """Seconds to wait for a connection (nautilus default 20)."""
    response_timeout: WholeSeconds | None = None
    """Seconds to wait for a reply (nautilus default 20)."""
    number_of_retries: NonNegativeInt | None = None
    exponent_base: PositiveInt | None = None
    max_delay: WholeSeconds | None = None
    """Longest delay between connection retries, seconds."""
    factor: PositiveInt | None = None

    @property
    def server(self) -> tuple[str, int]:
        """(host, port) as nautilus resolves them; `localhost` is 127.0.0.1."""
        host = self.host or REDIS_DEFAULT_HOST
        return ("127.0.0.1" if host == "localhost" else host, self.port or REDIS_DEFAULT_PORT)


# One spelling for both sections: typing caches `Literal[...] | None` by the literal's value set,
# so `Literal["json", "msgpack"]` elsewhere would reuse whichever order was built first and the
# generated schema would depend on import history.
RedisEncoding = Literal["msgpack", "json"]


@section
class Cache(Frozen):
    """Maps to `CacheConfig`. With a `database`, the node's state is kept in Redis."""

    database: Database | None = None
    encoding: RedisEncoding | None = None
    timestamps_as_iso8601: bool | None = None
    persist_account_events: bool | None = None
    buffer_interval_ms: PositiveInt | None = None
    """Batch writes this many milliseconds (unset: write through at once)."""
    bulk_read_batch_size: PositiveInt | None = None
    use_trader_prefix: bool | None = None
    use_instance_id: bool | None = None
    flush_on_start: bool | None = None
    """Wipe the whole Redis database at start (FLUSHDB): orders, positions, accounts — and any
    message bus streams in it. On a live spec only with `node.acknowledge: [live_flush_on_start]`."""
    drop_instruments_on_reset: bool | None = None
    tick_capacity: PositiveInt | None = None
    bar_capacity: PositiveInt | None = None


@section
class MessageBus(Frozen):
    """Maps to `MessageBusConfig`. With a `database`, events are also published to Redis streams."""

    database: Database | None = None
    encoding: RedisEncoding | None = None
    timestamps_as_iso8601: bool | None = None
    buffer_interval_ms: PositiveInt | None = None
    autotrim_mins: NonNegativeInt | None = None
    """Trim streams to this many minutes (Redis ≥ 6.2)."""
    use_trader_prefix: bool | None = None
    use_trader_id: bool | None = None
    use_instance_id: bool | None = None
    streams_prefix: Annotated[str, Constraints(min_length=1)] | None = None
    stream_per_topic: bool | None = None
    external_streams: list[Annotated[str, Constraints(min_length=1)]] | None = None
    """Stream keys this node reads and publishes on its own bus."""
    types_filter: list[ImportPath] | None = None
    """Types not published externally, as `module:Class` (e.g. `nautilus_trader.model.data:QuoteTick`)."""
    heartbeat_interval_secs: PositiveInt | None = None


RotationModeName = Literal["size", "interval", "scheduled_dates", "no_rotation"]


@section
class Streaming(Frozen):
    """Maps to `StreamingConfig`: what the node receives, written to a catalog as feather files."""

    catalog_path: Annotated[str, Constraints(min_length=1)]
    fs_protocol: str | None = None
    fs_storage_options: dict[str, Any] | None = None
    fs_rust_storage_options: dict[str, str] | None = None
    flush_interval_ms: PositiveInt | None = None
    replace_existing: bool | None = None
    include_types: list[ImportPath] | None = None
    """Write only these types, as `module:Class`."""
    rotation_mode: RotationModeName | None = None
    max_file_size: PositiveInt | None = None
    """Bytes before a file is rotated (rotation_mode: size)."""
    rotation_interval: Seconds | None = None
    """Seconds between rotations (rotation_mode: interval, scheduled_dates)."""
    rotation_time: Annotated[str, Constraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")] | None = None
    """Time of day of a rotation, `HH:MM[:SS]` (rotation_mode: scheduled_dates)."""
    rotation_timezone: Annotated[str, Constraints(min_length=1)] | None = None
