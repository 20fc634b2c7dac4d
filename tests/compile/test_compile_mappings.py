"""One test per spec → nautilus mapping of the compiler, plus purity."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from ibapi.const import UNSET_DOUBLE
from nautilus_trader.adapters.interactive_brokers.common import IB, IBContract
from nautilus_trader.adapters.interactive_brokers.config import IBMarketDataTypeEnum, SymbologyMethod
from nautilus_trader.config import LiveDataEngineConfig, LoggingConfig, TradingNodeConfig
from nautilus_trader.model.identifiers import InstrumentId

from runner.compile.compiler import CLIENT_KEY, CompiledSpec, Endpoint, compile_spec, default_endpoint
from runner.model.parse import parse_spec


def compiled(**sections: Any) -> CompiledSpec:
    return compile_spec(parse_spec({"version": 1, **sections}))


def test_clients_are_keyed_with_nautilus_ib_constant() -> None:
    node = compiled(exec={}).node
    assert CLIENT_KEY == IB
    assert list(node.data_clients) == [IB] and list(node.exec_clients) == [IB]


@pytest.mark.parametrize(
    ("symbology", "method"),
    [("simplified", SymbologyMethod.IB_SIMPLIFIED), ("raw", SymbologyMethod.IB_RAW)],
)
def test_symbology_maps_to_symbology_method(symbology: str, method: SymbologyMethod) -> None:
    provider = compiled(instruments={"symbology": symbology}).instrument_provider
    assert provider.symbology_method is method


@pytest.mark.parametrize(("name", "value"), [("REALTIME", 1), ("FROZEN", 2), ("DELAYED", 3), ("DELAYED_FROZEN", 4)])
def test_market_data_type_maps_to_ibapi_enum_value(name: str, value: int) -> None:
    assert getattr(IBMarketDataTypeEnum, name) == value  # the compiler's table is ibapi's
    assert compiled(data={"market_data_type": name}).data_client.market_data_type == value


def test_compiler_imports_neither_nautilus_nor_ibapi() -> None:
    # `ibrun run` plans the spec in a forked child while the parent imports nautilus: planning
    # must not import it (a test in a fresh interpreter, as this one has nautilus loaded).
    code = (
        "import sys; from runner.compile.compiler import plan_node; from runner.model.parse import parse_spec;"
        "plan_node(parse_spec({'version': 1, 'exec': {}}));"
        "print(sorted(m for m in sys.modules if m.startswith(('nautilus_trader', 'ibapi'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_load_ids_become_a_frozenset_of_instrument_ids() -> None:
    provider = compiled(instruments={"load_ids": ["EUR/USD.IDEALPRO", "^SPX.CBOE"]}).instrument_provider
    assert provider.load_ids == frozenset(
        {InstrumentId.from_str("EUR/USD.IDEALPRO"), InstrumentId.from_str("^SPX.CBOE")}
    )
    assert all(type(instrument_id) is InstrumentId for instrument_id in provider.load_ids)


def test_nothing_to_load_is_none_like_nautilus_default() -> None:
    provider = compiled().instrument_provider
    assert provider.load_ids is None and provider.load_contracts is None


def test_contract_carries_only_the_fields_the_spec_sets() -> None:
    contract = {
        "secType": "OPT",
        "symbol": "SPY",
        "exchange": "SMART",
        "strike": 500,
        "right": "C",
        "lastTradeDateOrContractMonth": 20251219,
    }
    provider = compiled(instruments={"contracts": [contract]}).instrument_provider
    assert provider.load_contracts == frozenset(
        {
            IBContract(
                secType="OPT",
                exchange="SMART",
                symbol="SPY",
                lastTradeDateOrContractMonth="20251219",
                strike=500,
                right="C",
            )
        }
    )


def test_contract_without_strike_keeps_ibcontract_unset_strike() -> None:
    contract = {"secType": "CONTFUT", "symbol": "ES", "exchange": "CME", "build_futures_chain": True}
    (ib_contract,) = compiled(instruments={"contracts": [contract]}).instrument_provider.load_contracts
    assert ib_contract.strike == UNSET_DOUBLE
    assert ib_contract.build_futures_chain is True and ib_contract.build_options_chain is None
    assert ib_contract == IBContract(secType="CONTFUT", symbol="ES", exchange="CME", build_futures_chain=True)


def test_provider_options_map_one_to_one() -> None:
    provider = compiled(
        instruments={
            "build_options_chain": True,
            "build_futures_chain": False,
            "min_expiry_days": 3,
            "max_expiry_days": 30,
            "convert_exchange_to_mic_venue": True,
            "symbol_to_mic_venue": {"ES": "XCME"},
            "cache_validity_days": 2,
            "pickle_path": "/tmp/ib.pickle",
            "filter_sec_types": ["WAR"],
        }
    ).instrument_provider
    assert (provider.build_options_chain, provider.build_futures_chain) == (True, False)
    assert (provider.min_expiry_days, provider.max_expiry_days) == (3, 30)
    assert provider.convert_exchange_to_mic_venue is True
    assert provider.symbol_to_mic_venue == {"ES": "XCME"}
    assert (provider.cache_validity_days, provider.pickle_path) == (2, "/tmp/ib.pickle")
    assert provider.filter_sec_types == frozenset({"WAR"})


def test_provider_is_one_object_shared_by_both_clients() -> None:
    result = compiled(exec={})
    assert result.data_client.instrument_provider is result.instrument_provider
    assert result.exec_client.instrument_provider is result.instrument_provider


def test_data_client_fields_and_request_timeout_rename() -> None:
    client = compiled(
        data={
            "client_id": 7,
            "use_regular_trading_hours": False,
            "ignore_quote_tick_size_updates": True,
            "handle_revised_bars": True,
            "connection_timeout": 30,
            "request_timeout": 120,
        }
    ).data_client
    assert (client.ibg_client_id, client.use_regular_trading_hours) == (7, False)
    assert (client.ignore_quote_tick_size_updates, client.handle_revised_bars) == (True, True)
    assert (client.connection_timeout, client.request_timeout_secs) == (30, 120)


def test_exec_client_fields_and_request_timeout_rename() -> None:
    client = compiled(
        exec={
            "client_id": 3,
            "account_id": "DU42",
            "fetch_all_open_orders": True,
            "track_option_exercise_from_position_update": True,
            "connection_timeout": 45,
            "request_timeout": 90,
        }
    ).exec_client
    assert (client.ibg_client_id, client.account_id) == (3, "DU42")
    assert client.fetch_all_open_orders and client.track_option_exercise_from_position_update
    assert (client.connection_timeout, client.request_timeout_secs) == (45, 90)


def test_absent_account_id_stays_none_for_nautilus_tws_account_fallback() -> None:
    assert compiled(exec={}).exec_client.account_id is None


def test_no_exec_section_means_a_data_only_node() -> None:
    result = compiled()
    assert result.exec_client is None and result.node.exec_clients == {}


def test_routing_maps_default_and_venues() -> None:
    routing = compiled(exec={"routing": {"default": False, "venues": ["IDEALPRO", "NASDAQ"]}})
    assert routing.exec_client.routing.default is False
    assert routing.exec_client.routing.venues == frozenset({"IDEALPRO", "NASDAQ"})
    assert compiled(exec={}).exec_client.routing.venues is None


def test_existing_gateway_endpoint_is_declared_host_and_resolved_port() -> None:
    result = compiled(gateway={"host": "10.0.0.5", "app": "tws", "trading_mode": "live"}, exec={})
    for client in (result.data_client, result.exec_client):
        assert (client.ibg_host, client.ibg_port) == ("10.0.0.5", 7496)


def test_endpoint_overrides_gateway_address_for_both_clients() -> None:
    spec = parse_spec({"version": 1, "gateway": {"port": 4002}, "exec": {}})
    result = compile_spec(spec, Endpoint("172.17.0.2", 45001))
    for client in (result.data_client, result.exec_client):
        assert (client.ibg_host, client.ibg_port) == ("172.17.0.2", 45001)


@pytest.mark.parametrize("gateway", [{"docker": {}}, {"simulated": {}}])
def test_started_gateways_never_set_dockerized_gateway(gateway: dict[str, Any]) -> None:
    result = compiled(gateway=gateway, exec={})
    assert result.data_client.dockerized_gateway is None
    assert result.exec_client.dockerized_gateway is None
    # Without an endpoint the clients get the documented placeholder.
    assert default_endpoint(parse_spec({"version": 1, "gateway": gateway}).gateway) == (Endpoint("127.0.0.1", 4002))


def test_logging_maps_set_fields_and_keeps_nautilus_defaults() -> None:
    logging = compiled(
        node={
            "logging": {
                "level": "DEBUG",
                "file_level": "WARNING",
                "file_format": "json",
                "directory": "logs",
                "file_name": "node",
                "component_levels": {"InteractiveBrokersClient": "DEBUG"},
                "colors": False,
                "max_file_size": 1000,
                "max_backup_count": 2,
            }
        }
    ).node.logging
    assert logging == LoggingConfig(
        log_level="DEBUG",
        log_level_file="WARNING",
        log_file_format="json",
        log_directory="logs",
        log_file_name="node",
        log_component_levels={"InteractiveBrokersClient": "DEBUG"},
        log_colors=False,
        log_file_max_size=1000,
        log_file_max_backup_count=2,
    )
    assert compiled().node.logging == LoggingConfig()


def test_data_engine_passes_only_set_fields() -> None:
    engine = compiled(node={"data_engine": {"time_bars_timestamp_on_close": False, "qsize": 5}})
    assert engine.node.data_engine == LiveDataEngineConfig(time_bars_timestamp_on_close=False, qsize=5)
    assert compiled().node.data_engine == LiveDataEngineConfig()


def test_timeouts_map_to_timeout_fields_and_unset_keep_defaults() -> None:
    node = compiled(node={"timeouts": {"connection": 90, "post_stop": 2.5}}).node
    defaults = TradingNodeConfig()
    assert (node.timeout_connection, node.timeout_post_stop) == (90.0, 2.5)
    assert node.timeout_reconciliation == defaults.timeout_reconciliation
    assert node.timeout_shutdown == defaults.timeout_shutdown


def test_strategies_and_actors_become_importable_configs() -> None:
    node = compiled(
        node={
            "strategies": [{"path": "my.strats:Ema", "config": {"fast": 10}}],
            "actors": [{"path": "my.actors:Rec", "config_path": "my.cfg:RecCfg"}],
        }
    ).node
    (strategy,) = node.strategies
    assert (strategy.strategy_path, strategy.config_path, strategy.config) == (
        "my.strats:Ema",
        "my.strats:EmaConfig",
        {"fast": 10},
    )
    (actor,) = node.actors
    assert (actor.actor_path, actor.config_path, actor.config) == ("my.actors:Rec", "my.cfg:RecCfg", {})


def test_trader_id_is_passed_through() -> None:
    assert compiled(trader_id="PAPER-TRADER-007").node.trader_id.value == "PAPER-TRADER-007"


# --- purity -----------------------------------------------------------------------------------

FULL_SPEC = {
    "version": 1,
    "trader_id": "PURE-001",
    "instruments": {
        "load_ids": ["EUR/USD.IDEALPRO", "SPY.ARCA", "AAPL.NASDAQ"],
        "contracts": [{"secType": "STK", "symbol": "AAPL"}, {"secType": "CASH", "symbol": "EUR", "currency": "USD"}],
    },
    "exec": {"routing": {"venues": ["IDEALPRO", "ARCA"]}},
    "node": {"strategies": [{"path": "a.b:C", "config": {"x": [1, 2]}}]},
}


def test_compiling_twice_gives_equal_json() -> None:
    spec = parse_spec(FULL_SPEC)
    first, second = compile_spec(spec), compile_spec(spec)
    assert first.node.json() == second.node.json()
    assert first.node is not second.node


def test_compiling_does_not_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = parse_spec(FULL_SPEC)
    before = compile_spec(spec).node.json()
    for name, value in {
        "TWS_ACCOUNT": "U999",
        "TWS_USERNAME": "u",
        "TWS_PASSWORD": "p",
        "IB_MAX_CONNECTION_ATTEMPTS": "1",
    }.items():
        monkeypatch.setitem(os.environ, name, value)
    after = compile_spec(spec)
    assert after.node.json() == before
    assert after.exec_client.account_id is None


def test_a_pickled_plan_assembles_to_the_same_configs() -> None:
    import pickle

    from runner.compile.compiler import assemble, plan_node

    spec = parse_spec({"version": 1, "exec": {"account_id": "DU1"}, "instruments": {"load_ids": ["SPY.ARCA"]}})
    plan = pickle.loads(pickle.dumps(plan_node(spec)))
    compiled_again = assemble(plan, Endpoint("127.0.0.1", 4555))
    assert compiled_again == compile_spec(spec, Endpoint("127.0.0.1", 4555))
    assert compiled_again.data_client.instrument_provider is compiled_again.exec_client.instrument_provider


def test_while_disconnected_is_ibruns_not_a_nautilus_option() -> None:
    held = compiled(exec={"while_disconnected": "hold", "hold_timeout": 5}).exec_client
    assert held == compiled(exec={}).exec_client  # applied at launch (runner/launch/order_gate.py)
