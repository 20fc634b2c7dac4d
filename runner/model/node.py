"""`node:` — the TradingNode around the clients: logging, data engine, timeouts, components."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from runner.model.base import Constraints, Frozen, ImportPath, Seconds

LogLevel = Literal["OFF", "TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR"]


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class DataEngine(Frozen):
    """Maps to `LiveDataEngineConfig`; unset fields keep nautilus' defaults."""

    time_bars_timestamp_on_close: bool | None = None
    time_bars_interval_type: Literal["left-open", "right-open"] | None = None
    time_bars_skip_first_non_full_bar: bool | None = None
    time_bars_build_with_no_updates: bool | None = None
    validate_data_sequence: bool | None = None
    buffer_deltas: bool | None = None
    emit_quotes_from_book: bool | None = None
    qsize: Annotated[int, Constraints(ge=1)] | None = None
    graceful_shutdown_on_exception: bool | None = None
    debug: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Timeouts(Frozen):
    """TradingNodeConfig `timeout_*` values in seconds; unset keeps nautilus' defaults."""

    connection: Seconds | None = None
    reconciliation: Seconds | None = None
    portfolio: Seconds | None = None
    disconnection: Seconds | None = None
    post_stop: Seconds | None = None
    shutdown: Seconds | None = None


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Node(Frozen):
    logging: Logging = field(default_factory=Logging)
    data_engine: DataEngine = field(default_factory=DataEngine)
    timeouts: Timeouts = field(default_factory=Timeouts)
    strategies: list[Component] = field(default_factory=list)
    actors: list[Component] = field(default_factory=list)
