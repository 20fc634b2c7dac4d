"""The TradingNodeConfig sections beyond the clients: engines, cache, message bus, portfolio,
streaming, execution algorithms, state and the `node.nautilus` escape hatch — as Builds (pure).

Only what the spec sets is passed: an absent section is not an argument at all, and a section's
unset fields are left out of its config, so nautilus' defaults stay in force for both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from runner.compile.build import Build, Secret
from runner.model.engines import DataEngine
from runner.model.node import Component, Node
from runner.model.state import Cache, Database, MessageBus

_LIVE = "nautilus_trader.live.config"
DATA_ENGINE_CONFIG = f"{_LIVE}:LiveDataEngineConfig"
RISK_ENGINE_CONFIG = f"{_LIVE}:LiveRiskEngineConfig"
EXEC_ENGINE_CONFIG = f"{_LIVE}:LiveExecEngineConfig"
CACHE_CONFIG = "nautilus_trader.cache.config:CacheConfig"
MESSAGE_BUS_CONFIG = "nautilus_trader.common.config:MessageBusConfig"
DATABASE_CONFIG = "nautilus_trader.common.config:DatabaseConfig"
PORTFOLIO_CONFIG = "nautilus_trader.portfolio.config:PortfolioConfig"
STREAMING_CONFIG = "nautilus_trader.persistence.config:StreamingConfig"
EXEC_ALGORITHM_CONFIG = "nautilus_trader.execution.config:ImportableExecAlgorithmConfig"
UUID4 = "nautilus_trader.core.uuid:UUID4.from_str"
_IDS = "nautilus_trader.model.identifiers"
_VALUES = "runner.compile.values"

Convert = Callable[[Any], Any]


def plan_node_sections(node: Node) -> dict[str, Any]:
    """TradingNodeConfig arguments for the node's optional sections (only those the spec sets)."""
    sections: dict[str, Any] = {
        "risk_engine": _optional(RISK_ENGINE_CONFIG, node.risk_engine),
        "exec_engine": _optional(EXEC_ENGINE_CONFIG, node.exec_engine, _EXEC_ENGINE_VALUES),
        "cache": plan_cache(node.cache) if node.cache is not None else None,
        "message_bus": plan_message_bus(node.message_bus) if node.message_bus is not None else None,
        "portfolio": _optional(PORTFOLIO_CONFIG, node.portfolio),
        "streaming": _optional(STREAMING_CONFIG, node.streaming, _STREAMING_VALUES),
        "instance_id": Build(UUID4, args=(node.instance_id,)) if node.instance_id is not None else None,
        "load_state": node.load_state,
        "save_state": node.save_state,
    }
    if node.exec_algorithms:
        sections["exec_algorithms"] = [plan_exec_algorithm(c) for c in node.exec_algorithms]
    arguments = {name: value for name, value in sections.items() if value is not None}
    return {**arguments, **plan_escape_hatch(node.nautilus)}


def plan_data_engine(data_engine: DataEngine) -> Build:
    return _section(DATA_ENGINE_CONFIG, data_engine, _DATA_ENGINE_VALUES)


def plan_cache(cache: Cache) -> Build:
    return _section(CACHE_CONFIG, cache, {"database": lambda _: plan_database(cache.database, "node.cache")})


def plan_message_bus(bus: MessageBus) -> Build:
    return _section(
        MESSAGE_BUS_CONFIG,
        bus,
        {"database": lambda _: plan_database(bus.database, "node.message_bus"), "types_filter": _types},
    )


def plan_database(database: Database | None, owner: str) -> Build | None:
    if database is None:
        return None
    password = database.password
    secret = None if password is None else Secret(password.env, password.file, f"{owner}.database.password")
    return _section(DATABASE_CONFIG, database, {"password": lambda _: secret})


def plan_exec_algorithm(component: Component) -> Build:
    return Build(
        EXEC_ALGORITHM_CONFIG,
        {
            "exec_algorithm_path": component.path,
            "config_path": component.resolved_config_path,
            "config": dict(component.config),
        },
    )


def plan_escape_hatch(arguments: Mapping[str, Any]) -> dict[str, Build]:
    """`node.nautilus`: each argument decoded by nautilus itself when the config is built."""
    return {name: Build(f"{_VALUES}:nautilus_argument", args=(name, value)) for name, value in arguments.items()}


def _optional(target: str, section: Any, convert: Mapping[str, Convert] | None = None) -> Build | None:
    return None if section is None else _section(target, section, convert)


def _section(target: str, section: Any, convert: Mapping[str, Convert] | None = None) -> Build:
    """``target(**set fields)``; ``convert`` turns a set spec value into nautilus' form."""
    convert = convert or {}
    values = {name: value for name, value in asdict(section).items() if value is not None}
    return Build(target, {name: convert[name](value) if name in convert else value for name, value in values.items()})


def _ids(kind: str) -> Convert:
    return lambda values: [Build(f"{_IDS}:{kind}", args=(value,)) for value in values]


def _types(paths: list[str]) -> list[Build]:
    return [Build(f"{_VALUES}:python_type", args=(path,)) for path in paths]


def _call(name: str) -> Convert:
    return lambda value: Build(f"{_VALUES}:{name}", args=(value,))


_DATA_ENGINE_VALUES: dict[str, Convert] = {
    "time_bars_origin_offset": _call("origin_offsets"),
    "external_clients": _ids("ClientId"),
}
_EXEC_ENGINE_VALUES: dict[str, Convert] = {
    "reconciliation_instrument_ids": _ids("InstrumentId.from_str"),
    "filtered_client_order_ids": _ids("ClientOrderId"),
    "external_clients": _ids("ClientId"),
}
_STREAMING_VALUES: dict[str, Convert] = {
    "include_types": _types,
    "rotation_mode": _call("rotation_mode"),
    "rotation_interval": _call("seconds"),
    "rotation_time": _call("time_of_day"),
}
