"""Spec → nautilus configs: the one place that knows both vocabularies.

``compile_spec`` is pure: the same ``Spec`` (and ``Endpoint``) always gives equal configs. It reads
no environment variables and no files — interpolation and secrets were resolved by the loader, and
the docker credentials never reach nautilus at all (ibrun starts the container itself, so
``dockerized_gateway`` is never set; the clients are pointed at the started gateway instead).

Only values the spec sets are passed to the optional nautilus sections (logging, data engine,
timeouts), so nautilus' own defaults stay in force for everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nautilus_trader.adapters.interactive_brokers.common import IB, IBContract
from nautilus_trader.adapters.interactive_brokers.config import (
    IBMarketDataTypeEnum,
    InteractiveBrokersDataClientConfig,
    InteractiveBrokersExecClientConfig,
    InteractiveBrokersInstrumentProviderConfig,
    SymbologyMethod,
)
from nautilus_trader.common.config import ImportableActorConfig, LoggingConfig
from nautilus_trader.live.config import LiveDataEngineConfig, RoutingConfig, TradingNodeConfig
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.config import ImportableStrategyConfig

from runner.model import Spec
from runner.model.clients import DataClient, ExecClient, Routing
from runner.model.gateway import Endpoint, Gateway
from runner.model.instruments import Contract, Instruments
from runner.model.node import Component, DataEngine, Logging, Node, Timeouts

__all__ = ["CLIENT_KEY", "CompiledSpec", "Endpoint", "compile_spec", "default_endpoint"]

# Key of the IB data/exec client in TradingNodeConfig (nautilus' own constant).
CLIENT_KEY: str = IB

SYMBOLOGY: dict[str, SymbologyMethod] = {
    "simplified": SymbologyMethod.IB_SIMPLIFIED,
    "raw": SymbologyMethod.IB_RAW,
}


def market_data_type(name: str) -> int:
    # ibapi's MarketDataTypeEnum is not a Python Enum: its members are plain int attributes.
    return int(getattr(IBMarketDataTypeEnum, name))


# Nautilus' `LoggingConfig` parameter for each `node.logging` field.
LOGGING_FIELDS: dict[str, str] = {
    "level": "log_level",
    "file_level": "log_level_file",
    "file_format": "log_file_format",
    "directory": "log_directory",
    "file_name": "log_file_name",
    "component_levels": "log_component_levels",
    "colors": "log_colors",
    "max_file_size": "log_file_max_size",
    "max_backup_count": "log_file_max_backup_count",
}

# Contract fields where the spec's None means "not set": they are left out so IBContract keeps
# its own default (for `strike` that is ibapi's UNSET_DOUBLE, not None).
_CONTRACT_OPTIONAL = (
    "strike",
    "build_futures_chain",
    "build_options_chain",
    "options_chain_exchange",
    "min_expiry_days",
    "max_expiry_days",
)


@dataclass(frozen=True)
class CompiledSpec:
    """The nautilus configs of one spec; both clients share the one provider config object."""

    instrument_provider: InteractiveBrokersInstrumentProviderConfig
    data_client: InteractiveBrokersDataClientConfig
    exec_client: InteractiveBrokersExecClientConfig | None
    node: TradingNodeConfig


def default_endpoint(gateway: Gateway) -> Endpoint:
    """The declared host and port (or IB's default port for app + trading mode).

    For an existing gateway this is where it listens. For docker/simulated gateways it is only a
    placeholder (ibrun picks the real port when it starts them) — `ibrun render` says so.
    """
    return Endpoint(gateway.host, gateway.resolved_port)


def compile_spec(spec: Spec, endpoint: Endpoint | None = None) -> CompiledSpec:
    """Compile a validated spec to nautilus configs; ``endpoint`` overrides the gateway address."""
    target = endpoint if endpoint is not None else default_endpoint(spec.gateway)
    provider = compile_instrument_provider(spec.instruments)
    data_client = compile_data_client(spec.data, provider, target)
    exec_client = compile_exec_client(spec.exec_, provider, target) if spec.exec_ is not None else None
    node = compile_node(spec.trader_id, spec.node, data_client, exec_client)
    return CompiledSpec(provider, data_client, exec_client, node)


# --- instruments ------------------------------------------------------------------------------


def compile_instrument_provider(
    instruments: Instruments,
) -> InteractiveBrokersInstrumentProviderConfig:
    # Empty lists become None (nautilus' "nothing to load"), not empty frozensets, so a spec
    # without load_ids renders exactly like the guide's configs that omit the parameter.
    return InteractiveBrokersInstrumentProviderConfig(
        symbology_method=SYMBOLOGY[instruments.symbology],
        load_ids=compile_instrument_ids(instruments.load_ids),
        load_contracts=compile_contracts(instruments.contracts),
        build_options_chain=instruments.build_options_chain,
        build_futures_chain=instruments.build_futures_chain,
        min_expiry_days=instruments.min_expiry_days,
        max_expiry_days=instruments.max_expiry_days,
        convert_exchange_to_mic_venue=instruments.convert_exchange_to_mic_venue,
        symbol_to_mic_venue=dict(instruments.symbol_to_mic_venue),
        cache_validity_days=instruments.cache_validity_days,
        pickle_path=instruments.pickle_path,
        filter_sec_types=frozenset(instruments.filter_sec_types),
    )


def compile_instrument_ids(load_ids: list[str]) -> frozenset[InstrumentId] | None:
    # nautilus declares `frozenset[InstrumentId]`; the guide passes strings, which only work
    # because the IB provider stringifies them again. Real InstrumentIds are what nautilus
    # decodes from JSON, so a rendered config round-trips to an equal one.
    if not load_ids:
        return None
    return frozenset(InstrumentId.from_str(instrument_id) for instrument_id in load_ids)


def compile_contracts(contracts: list[Contract]) -> frozenset[IBContract] | None:
    if not contracts:
        return None
    return frozenset(compile_contract(contract) for contract in contracts)


def compile_contract(contract: Contract) -> IBContract:
    """An IBContract of the spec's fields; unset optional ones keep IBContract's defaults."""
    values = contract.model_dump(exclude=set(_CONTRACT_OPTIONAL))
    for name in _CONTRACT_OPTIONAL:
        value = getattr(contract, name)
        if value is not None:
            values[name] = value
    return IBContract(**values)


# --- clients ----------------------------------------------------------------------------------


def compile_data_client(
    data: DataClient,
    provider: InteractiveBrokersInstrumentProviderConfig,
    endpoint: Endpoint,
) -> InteractiveBrokersDataClientConfig:
    return InteractiveBrokersDataClientConfig(
        instrument_provider=provider,
        ibg_host=endpoint.host,
        ibg_port=endpoint.port,
        ibg_client_id=data.client_id,
        use_regular_trading_hours=data.use_regular_trading_hours,
        market_data_type=market_data_type(data.market_data_type),
        ignore_quote_tick_size_updates=data.ignore_quote_tick_size_updates,
        handle_revised_bars=data.handle_revised_bars,
        connection_timeout=data.connection_timeout,
        request_timeout_secs=data.request_timeout,
    )


def compile_exec_client(
    exec_: ExecClient,
    provider: InteractiveBrokersInstrumentProviderConfig,
    endpoint: Endpoint,
) -> InteractiveBrokersExecClientConfig:
    return InteractiveBrokersExecClientConfig(
        instrument_provider=provider,
        ibg_host=endpoint.host,
        ibg_port=endpoint.port,
        ibg_client_id=exec_.client_id,
        account_id=exec_.account_id,
        connection_timeout=exec_.connection_timeout,
        request_timeout_secs=exec_.request_timeout,
        fetch_all_open_orders=exec_.fetch_all_open_orders,
        track_option_exercise_from_position_update=exec_.track_option_exercise_from_position_update,
        routing=compile_routing(exec_.routing),
    )


def compile_routing(routing: Routing) -> RoutingConfig:
    venues = frozenset(routing.venues) if routing.venues else None
    return RoutingConfig(default=routing.default, venues=venues)


# --- node -------------------------------------------------------------------------------------


def compile_node(
    trader_id: str,
    node: Node,
    data_client: InteractiveBrokersDataClientConfig,
    exec_client: InteractiveBrokersExecClientConfig | None,
) -> TradingNodeConfig:
    return TradingNodeConfig(
        trader_id=trader_id,
        logging=compile_logging(node.logging),
        data_engine=compile_data_engine(node.data_engine),
        data_clients={CLIENT_KEY: data_client},
        exec_clients={CLIENT_KEY: exec_client} if exec_client is not None else {},
        strategies=[compile_strategy(component) for component in node.strategies],
        actors=[compile_actor(component) for component in node.actors],
        **compile_timeouts(node.timeouts),
    )


def compile_logging(logging: Logging) -> LoggingConfig:
    # The spec's defaults equal nautilus' (INFO, colors, 5 backups); None and an empty
    # component map mean "not set" and are left to nautilus.
    values = {
        LOGGING_FIELDS[name]: value for name, value in logging.model_dump().items() if value is not None and value != {}
    }
    return LoggingConfig(**values)


def compile_data_engine(data_engine: DataEngine) -> LiveDataEngineConfig:
    return LiveDataEngineConfig(**_set_values(data_engine.model_dump()))


def compile_timeouts(timeouts: Timeouts) -> dict[str, Any]:
    # `Any`: these are splatted into TradingNodeConfig next to fields of other types.
    return {f"timeout_{name}": value for name, value in _set_values(timeouts.model_dump()).items()}


def compile_strategy(component: Component) -> ImportableStrategyConfig:
    return ImportableStrategyConfig(
        strategy_path=component.path,
        config_path=component.resolved_config_path,
        config=dict(component.config),
    )


def compile_actor(component: Component) -> ImportableActorConfig:
    return ImportableActorConfig(
        actor_path=component.path,
        config_path=component.resolved_config_path,
        config=dict(component.config),
    )


def _set_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
