"""`node:` — the TradingNode around the clients: logging, engines, state, timeouts, components.

The engines are in `runner.model.engines`, the cache, message bus and streaming sections in
`runner.model.state`. `node.nautilus` is the escape hatch for TradingNodeConfig arguments the
typed sections do not cover yet; a key they cover is refused there (one way to say each thing).
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Any, Literal

from runner.model.base import Constraints, Frozen, ImportPath, Seconds, section
from runner.model.engines import DataEngine, ExecEngine, Portfolio, RiskEngine
from runner.model.state import Cache, MessageBus, Streaming

LogLevel = Literal["OFF", "TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR"]


@section
class Logging(Frozen):
    """Maps to nautilus `LoggingConfig` (`level` → `log_level`, and so on)."""

    level: LogLevel = "INFO"
    file_level: LogLevel | None = None
    file_format: Literal["json"] | None = None
    directory: str | None = None
    file_name: str | None = None
    component_levels: dict[str, LogLevel] = field(default_factory=dict)
    colors: bool = True
    max_file_size: Annotated[int, Constraints(ge=1)] | None = None
    max_backup_count: Annotated[int, Constraints(ge=0)] = 5
    components_only: bool | None = None
    """Log only the components named in `component_levels`."""
    clear_log_file: bool | None = None
    fileout_sync_on_flush: bool | None = None
    buffered_stdout: bool | None = None
    print_config: bool | None = None
    use_tracing: bool | None = None
    use_pyo3: bool | None = None
    """Initialize logging through pyo3 (shows logs from nautilus' Rust code)."""
    bypass: bool | None = None
    """Bypass nautilus' logging system entirely."""


@section
class Timeouts(Frozen):
    """TradingNodeConfig `timeout_*` values in seconds; unset keeps nautilus' defaults."""

    connection: Seconds | None = None
    reconciliation: Seconds | None = None
    portfolio: Seconds | None = None
    disconnection: Seconds | None = None
    post_stop: Seconds | None = None
    shutdown: Seconds | None = None


@section
class Component(Frozen):
    """A strategy or actor: `module:Class`, its config class and config values."""

    path: ImportPath
    config_path: ImportPath | None = None
    """Config class; default: `<Class>Config` in the same module."""
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved_config_path(self) -> str:
        if self.config_path:
            return self.config_path
        module, cls = self.path.split(":")
        return f"{module}:{cls}Config"


# Risks a spec may take knowingly (`node.acknowledge`); `ibrun validate` refuses them otherwise.
Acknowledgement = Literal["live_flush_on_start", "shared_redis_database"]

UUID4_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"


@section
class Node(Frozen):
    """The TradingNodeConfig around the clients. Unset sections keep nautilus' defaults."""

    logging: Logging = field(default_factory=Logging)
    data_engine: DataEngine = field(default_factory=DataEngine)
    risk_engine: RiskEngine | None = None
    exec_engine: ExecEngine | None = None
    cache: Cache | None = None
    message_bus: MessageBus | None = None
    portfolio: Portfolio | None = None
    streaming: Streaming | None = None
    instance_id: Annotated[str, Constraints(pattern=UUID4_PATTERN)] | None = None
    """The node's UUID4 (default: a new one per start); keys include it with `use_instance_id`."""
    load_state: bool | None = None
    """Load strategies' and actors' saved state from the cache database at start."""
    save_state: bool | None = None
    """Save strategies' and actors' state to the cache database at stop."""
    timeouts: Timeouts = field(default_factory=Timeouts)
    strategies: list[Component] = field(default_factory=list)
    actors: list[Component] = field(default_factory=list)
    exec_algorithms: list[Component] = field(default_factory=list)
    """Execution algorithms (nautilus `ImportableExecAlgorithmConfig`)."""
    acknowledge: list[Acknowledgement] = field(default_factory=list)
    """Risks taken knowingly: `live_flush_on_start` (a live spec wipes its Redis state at each
    start), `shared_redis_database` (cache and message bus on one Redis server)."""
    nautilus: dict[str, Any] = field(default_factory=dict)
    """Extra TradingNodeConfig arguments in nautilus' JSON form, for what the typed sections do not
    cover (`emulator`, `catalogs`, `controller`, `loop_debug`); checked by nautilus' own decoder."""


# TradingNodeConfig arguments and the spec keys that set them: `node.nautilus` refuses these.
TYPED_NAUTILUS_KEYS: dict[str, str] = {
    "environment": "ibrun runs a live TradingNode",
    "trader_id": "trader_id",
    "instance_id": "node.instance_id",
    "cache": "node.cache",
    "message_bus": "node.message_bus",
    "data_engine": "node.data_engine",
    "risk_engine": "node.risk_engine",
    "exec_engine": "node.exec_engine",
    "portfolio": "node.portfolio",
    "streaming": "node.streaming",
    "actors": "node.actors",
    "strategies": "node.strategies",
    "exec_algorithms": "node.exec_algorithms",
    "load_state": "node.load_state",
    "save_state": "node.save_state",
    "logging": "node.logging",
    "timeout_connection": "node.timeouts.connection",
    "timeout_reconciliation": "node.timeouts.reconciliation",
    "timeout_portfolio": "node.timeouts.portfolio",
    "timeout_disconnection": "node.timeouts.disconnection",
    "timeout_post_stop": "node.timeouts.post_stop",
    "timeout_shutdown": "node.timeouts.shutdown",
    "data_clients": "data",
    "exec_clients": "exec",
}
