"""Spec → nautilus configs: the one place that knows both vocabularies.

``plan_node`` is pure: the same ``Spec`` always gives an equal :class:`NodePlan`, a description of
the nautilus configs as :class:`runner.compile.build.Build` values (importable constructor + arguments).
It imports no nautilus, reads no environment variables and no files — interpolation and secrets
were resolved by the loader, and the docker credentials never reach nautilus at all (ibrun starts
the container itself, so ``dockerized_gateway`` is never set; the clients are pointed at the
started gateway instead). ``assemble`` constructs the configs, pointed at a gateway address;
``compile_spec`` does both.

Only values the spec sets are passed to the optional nautilus sections (logging, engines, cache,
message bus, timeouts, ...: `runner.compile.node_sections`), so nautilus' own defaults stay in
force for everything else. A secret (the Redis password) stays a reference in the plan until
``resolve_secrets`` reads it, just before the configs are built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from runner.compile.build import Build, SecretReader, frozenset_of, materialize
from runner.compile.node_sections import plan_data_engine, plan_node_sections
from runner.compile.nodeplan import CLIENT_KEY, CompiledSpec, Endpoint, NodePlan, assemble, resolve_secrets
from runner.model import Spec
from runner.model.clients import DataClient, ExecClient, Routing
from runner.model.gateway import Gateway
from runner.model.instruments import Contract, Instruments
from runner.model.node import Component, Logging, Node, Timeouts

if TYPE_CHECKING:
    from nautilus_trader.adapters.interactive_brokers.config import InteractiveBrokersInstrumentProviderConfig

__all__ = [
    "CLIENT_KEY",
    "CompiledSpec",
    "Endpoint",
    "NodePlan",
    "assemble",
    "compile_spec",
    "default_endpoint",
    "resolve_secrets",
]

_IB_CONFIG = "nautilus_trader.adapters.interactive_brokers.config"
PROVIDER_CONFIG = f"{_IB_CONFIG}:InteractiveBrokersInstrumentProviderConfig"
DATA_CLIENT_CONFIG = f"{_IB_CONFIG}:InteractiveBrokersDataClientConfig"
EXEC_CLIENT_CONFIG = f"{_IB_CONFIG}:InteractiveBrokersExecClientConfig"
SYMBOLOGY_METHOD = f"{_IB_CONFIG}:SymbologyMethod"  # its values are the spec's names: simplified, raw
IB_CONTRACT = "nautilus_trader.adapters.interactive_brokers.common:IBContract"
INSTRUMENT_ID = "nautilus_trader.model.identifiers:InstrumentId.from_str"
ROUTING_CONFIG = "nautilus_trader.live.config:RoutingConfig"
TRADING_NODE_CONFIG = "nautilus_trader.live.config:TradingNodeConfig"
LOGGING_CONFIG = "nautilus_trader.common.config:LoggingConfig"
STRATEGY_CONFIG = "nautilus_trader.trading.config:ImportableStrategyConfig"
ACTOR_CONFIG = "nautilus_trader.common.config:ImportableActorConfig"

# ibapi's MarketDataTypeEnum values (a test checks them against ibapi).
MARKET_DATA_TYPES: dict[str, int] = {"REALTIME": 1, "FROZEN": 2, "DELAYED": 3, "DELAYED_FROZEN": 4}


def market_data_type(name: str) -> int:
    return MARKET_DATA_TYPES[name]


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
    "components_only": "log_components_only",
    "clear_log_file": "clear_log_file",
    "fileout_sync_on_flush": "fileout_sync_on_flush",
    "buffered_stdout": "buffered_stdout",
    "print_config": "print_config",
    "use_tracing": "use_tracing",
    "use_pyo3": "use_pyo3",
    "bypass": "bypass_logging",
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


def default_endpoint(gateway: Gateway) -> Endpoint:
    """The declared host and port (or IB's default port for app + trading mode).

    For an existing gateway this is where it listens. For docker/simulated gateways it is only a
    placeholder (ibrun picks the real port when it starts them) — `ibrun render` says so.
    """
    return Endpoint(gateway.host, gateway.resolved_port)


def compile_spec(spec: Spec, endpoint: Endpoint | None = None, secrets: SecretReader | None = None) -> CompiledSpec:
    """Compile a validated spec to nautilus configs; ``endpoint`` overrides the gateway address,
    ``secrets`` reads the secrets the spec refers to (required when it refers to any)."""
    plan = plan_node(spec)
    return assemble(resolve_secrets(plan, secrets) if secrets is not None else plan, endpoint)


def plan_node(spec: Spec) -> NodePlan:
    return NodePlan(
        provider=plan_instrument_provider(spec.instruments),
        data_client=plan_data_client(spec.data),
        exec_client=plan_exec_client(spec.exec_) if spec.exec_ is not None else None,
        node=plan_trading_node(spec.trader_id, spec.node),
        endpoint=default_endpoint(spec.gateway),
    )


def compile_instrument_provider(instruments: Instruments) -> InteractiveBrokersInstrumentProviderConfig:
    return materialize(plan_instrument_provider(instruments))


def compile_contract(contract: Contract) -> Any:
    """An IBContract of the spec's fields; unset optional ones keep IBContract's defaults."""
    return materialize(plan_contract(contract))


# --- instruments ------------------------------------------------------------------------------


def plan_instrument_provider(instruments: Instruments) -> Build:
    # Empty lists become None (nautilus' "nothing to load"), not empty frozensets, so a spec
    # without load_ids renders exactly like the guide's configs that omit the parameter.
    return Build(
        PROVIDER_CONFIG,
        dict(
            symbology_method=Build(SYMBOLOGY_METHOD, args=(instruments.symbology,)),
            load_ids=plan_instrument_ids(instruments.load_ids),
            load_contracts=plan_contracts(instruments.contracts),
            build_options_chain=instruments.build_options_chain,
            build_futures_chain=instruments.build_futures_chain,
            min_expiry_days=instruments.min_expiry_days,
            max_expiry_days=instruments.max_expiry_days,
            convert_exchange_to_mic_venue=instruments.convert_exchange_to_mic_venue,
            symbol_to_mic_venue=dict(instruments.symbol_to_mic_venue),
            cache_validity_days=instruments.cache_validity_days,
            pickle_path=instruments.pickle_path,
            filter_sec_types=frozenset(instruments.filter_sec_types),
        ),
    )


def plan_instrument_ids(load_ids: list[str]) -> Build | None:
    # nautilus declares `frozenset[InstrumentId]`; the guide passes strings, which only work
    # because the IB provider stringifies them again. Real InstrumentIds are what nautilus
    # decodes from JSON, so a rendered config round-trips to an equal one.
    if not load_ids:
        return None
    return frozenset_of([Build(INSTRUMENT_ID, args=(instrument_id,)) for instrument_id in load_ids])


def plan_contracts(contracts: list[Contract]) -> Build | None:
    if not contracts:
        return None
    return frozenset_of([plan_contract(contract) for contract in contracts])


def plan_contract(contract: Contract) -> Build:
    values = {name: value for name, value in asdict(contract).items() if name not in _CONTRACT_OPTIONAL}
    for name in _CONTRACT_OPTIONAL:
        value = getattr(contract, name)
        if value is not None:
            values[name] = value
    return Build(IB_CONTRACT, values)


# --- clients (their provider and gateway address are added by `assemble`) ---------------------


def plan_data_client(data: DataClient) -> Build:
    return Build(
        DATA_CLIENT_CONFIG,
        dict(
            ibg_client_id=data.client_id,
            use_regular_trading_hours=data.use_regular_trading_hours,
            market_data_type=market_data_type(data.market_data_type),
            ignore_quote_tick_size_updates=data.ignore_quote_tick_size_updates,
            handle_revised_bars=data.handle_revised_bars,
            connection_timeout=data.connection_timeout,
            request_timeout_secs=data.request_timeout,
        ),
    )


def plan_exec_client(exec_: ExecClient) -> Build:
    return Build(
        EXEC_CLIENT_CONFIG,
        dict(
            ibg_client_id=exec_.client_id,
            account_id=exec_.account_id,
            connection_timeout=exec_.connection_timeout,
            request_timeout_secs=exec_.request_timeout,
            fetch_all_open_orders=exec_.fetch_all_open_orders,
            track_option_exercise_from_position_update=exec_.track_option_exercise_from_position_update,
            routing=plan_routing(exec_.routing),
        ),
    )


def plan_routing(routing: Routing) -> Build:
    venues = frozenset(routing.venues) if routing.venues else None
    return Build(ROUTING_CONFIG, dict(default=routing.default, venues=venues))


# --- node (its clients are added by `assemble`) ----------------------------------------------------


def plan_trading_node(trader_id: str, node: Node) -> Build:
    return Build(
        TRADING_NODE_CONFIG,
        dict(
            trader_id=trader_id,
            logging=plan_logging(node.logging),
            data_engine=plan_data_engine(node.data_engine),
            strategies=[plan_component(STRATEGY_CONFIG, "strategy_path", c) for c in node.strategies],
            actors=[plan_component(ACTOR_CONFIG, "actor_path", c) for c in node.actors],
            **plan_timeouts(node.timeouts),
            **plan_node_sections(node),
        ),
    )


def plan_logging(logging: Logging) -> Build:
    # The spec's defaults equal nautilus' (INFO, colors, 5 backups); None and an empty
    # component map mean "not set" and are left to nautilus.
    values = {
        LOGGING_FIELDS[name]: value for name, value in asdict(logging).items() if value is not None and value != {}
    }
    return Build(LOGGING_CONFIG, values)


def plan_timeouts(timeouts: Timeouts) -> dict[str, Any]:
    return {f"timeout_{name}": value for name, value in _set_values(asdict(timeouts)).items()}


def plan_component(target: str, path_field: str, component: Component) -> Build:
    return Build(
        target,
        {path_field: component.path, "config_path": component.resolved_config_path, "config": dict(component.config)},
    )


def _set_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
