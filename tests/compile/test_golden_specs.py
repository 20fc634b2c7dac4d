"""Each shipped seed spec compiles to exactly the configs the adapter guide writes in Python.

The guide's configs are built below as the guide writes them, adapted only where nautilus 1.231
differs from the guide, or where ibrun deliberately differs:

* ``request_timeout`` is ``request_timeout_secs`` in 1.231 (not used by these snippets);
* ``dockerized_gateway`` is never set: ibrun starts the container itself and points the clients
  at it (``ibg_host``/``ibg_port`` = the started gateway's endpoint);
* the guide's ``os.environ.get("TWS_ACCOUNT")`` is the loader's ``${TWS_ACCOUNT}``.

Configs are compared field by field through nautilus' JSON encoding (with frozensets in a
canonical order), not with ``==``: the IB provider's ``__eq__`` ignores symbology, MIC and cache
fields, and ``load_ids`` strings (guide) vs ``InstrumentId`` (ibrun) encode identically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from nautilus_trader.adapters.interactive_brokers.common import IB, IBContract
from nautilus_trader.adapters.interactive_brokers.config import (
    IBMarketDataTypeEnum,
    InteractiveBrokersDataClientConfig,
    InteractiveBrokersExecClientConfig,
    InteractiveBrokersInstrumentProviderConfig,
    SymbologyMethod,
)
from nautilus_trader.config import (
    LiveDataEngineConfig,
    LoggingConfig,
    RoutingConfig,
    TradingNodeConfig,
)

from runner.compile.compiler import CompiledSpec, Endpoint, compile_spec
from runner.compile.render import canonical
from runner.loading.options import LoadOptions
from runner.validation.pipeline import load_spec

SPECS = Path(__file__).resolve().parents[2] / "specs"
LIVE_ACCOUNT = "U7654321"
# The seed specs this file checks (others in specs/ belong to other features).
SEED_SPECS = ["paper.yaml", "multi-client.yaml", "derivatives.yaml", "instruments.yaml", "live-docker.yaml"]


def primitives(config: Any) -> Any:
    return canonical(msgspec.json.decode(config.json()))


def compile_seed(name: str, endpoint: Endpoint | None = None, **environ: str) -> CompiledSpec:
    options = LoadOptions(environ=environ)
    return compile_spec(load_spec(SPECS / name, options).spec, endpoint)


def assert_same_config(compiled: Any, guide: Any) -> None:
    assert type(compiled) is type(guide)
    assert primitives(compiled) == primitives(guide)


# --- Paper Trading Configuration --------------------------------------------------------------


def guide_instrument_provider_config() -> InteractiveBrokersInstrumentProviderConfig:
    # Defined once in the guide's paper example; its live and multi-client snippets reuse it.
    return InteractiveBrokersInstrumentProviderConfig(
        symbology_method=SymbologyMethod.IB_SIMPLIFIED,
        load_ids=frozenset(
            [
                "EUR/USD.IDEALPRO",
                "GBP/USD.IDEALPRO",
                "SPY.ARCA",
                "QQQ.NASDAQ",
                "AAPL.NASDAQ",
                "MSFT.NASDAQ",
            ]
        ),
    )


def guide_paper_node() -> TradingNodeConfig:
    instrument_provider_config = guide_instrument_provider_config()
    data_client_config = InteractiveBrokersDataClientConfig(
        ibg_host="127.0.0.1",
        ibg_port=7497,
        ibg_client_id=1,
        use_regular_trading_hours=True,
        market_data_type=IBMarketDataTypeEnum.DELAYED_FROZEN,
        instrument_provider=instrument_provider_config,
    )
    exec_client_config = InteractiveBrokersExecClientConfig(
        ibg_host="127.0.0.1",
        ibg_port=7497,
        ibg_client_id=1,
        account_id="DU123456",
        instrument_provider=instrument_provider_config,
        routing=RoutingConfig(default=True),
    )
    return TradingNodeConfig(
        trader_id="PAPER-TRADER-001",
        logging=LoggingConfig(log_level="INFO"),
        data_clients={IB: data_client_config},
        exec_clients={IB: exec_client_config},
        data_engine=LiveDataEngineConfig(
            time_bars_timestamp_on_close=False,
            validate_data_sequence=True,
        ),
        timeout_connection=90.0,
        timeout_reconciliation=5.0,
        timeout_portfolio=5.0,
        timeout_disconnection=5.0,
        timeout_post_stop=2.0,
    )


def test_paper_spec_is_the_guides_paper_trading_node() -> None:
    compiled = compile_seed("paper.yaml")
    guide = guide_paper_node()
    assert_same_config(compiled.node, guide)
    assert_same_config(compiled.data_client, guide.data_clients[IB])
    assert_same_config(compiled.exec_client, guide.exec_clients[IB])


# --- Multi-Client Configuration ---------------------------------------------------------------


def test_multi_client_spec_is_the_guides_multi_client_configuration() -> None:
    instrument_provider_config = guide_instrument_provider_config()  # the paper example's
    data_client_config = InteractiveBrokersDataClientConfig(
        ibg_host="127.0.0.1",
        ibg_port=7497,
        ibg_client_id=1,
        market_data_type=IBMarketDataTypeEnum.REALTIME,
        instrument_provider=instrument_provider_config,
    )
    exec_client_config = InteractiveBrokersExecClientConfig(
        ibg_host="127.0.0.1",
        ibg_port=7497,
        ibg_client_id=2,
        account_id="DU123456",
        instrument_provider=instrument_provider_config,
        routing=RoutingConfig(default=True),
    )
    compiled = compile_seed("multi-client.yaml")
    assert_same_config(compiled.instrument_provider, instrument_provider_config)
    assert_same_config(compiled.data_client, data_client_config)
    assert_same_config(compiled.exec_client, exec_client_config)
    assert compiled.data_client.ibg_client_id != compiled.exec_client.ibg_client_id


# --- InstrumentProvider: Advanced Configuration for Derivatives -------------------------------


def test_derivatives_spec_is_the_guides_advanced_derivatives_provider() -> None:
    advanced_config = InteractiveBrokersInstrumentProviderConfig(
        symbology_method=SymbologyMethod.IB_SIMPLIFIED,
        build_futures_chain=True,
        build_options_chain=True,
        min_expiry_days=7,
        max_expiry_days=90,
        load_contracts=frozenset(
            [
                IBContract(
                    secType="STK",
                    symbol="SPY",
                    exchange="SMART",
                    primaryExchange="ARCA",
                    build_options_chain=True,
                ),
                IBContract(
                    secType="CONTFUT",
                    exchange="CME",
                    symbol="ES",
                    build_futures_chain=True,
                ),
            ]
        ),
    )
    compiled = compile_seed("derivatives.yaml")
    assert_same_config(compiled.instrument_provider, advanced_config)
    assert compiled.data_client.instrument_provider is compiled.instrument_provider
    assert compiled.exec_client is None


# --- InstrumentProvider: Basic Configuration --------------------------------------------------


def test_instruments_spec_is_the_guides_basic_provider_configuration() -> None:
    instrument_provider_config = InteractiveBrokersInstrumentProviderConfig(
        symbology_method=SymbologyMethod.IB_SIMPLIFIED,
        build_futures_chain=False,
        build_options_chain=False,
        min_expiry_days=10,
        max_expiry_days=60,
        convert_exchange_to_mic_venue=False,
        cache_validity_days=1,
        load_ids=frozenset(
            [
                "EUR/USD.IDEALPRO",
                "BTC/USD.PAXOS",
                "SPY.ARCA",
                "V.NYSE",
                "ESM4.CME",
                "^SPX.CBOE",
            ]
        ),
        load_contracts=frozenset(
            [
                IBContract(secType="STK", symbol="AAPL", exchange="SMART", primaryExchange="NASDAQ"),
                IBContract(secType="CASH", symbol="GBP", currency="USD", exchange="IDEALPRO"),
            ]
        ),
    )
    compiled = compile_seed("instruments.yaml")
    assert_same_config(compiled.instrument_provider, instrument_provider_config)


# --- Live Trading with Dockerized Gateway -----------------------------------------------------


def guide_live_node(endpoint: Endpoint) -> TradingNodeConfig:
    instrument_provider_config = guide_instrument_provider_config()  # the paper example's
    # dockerized_gateway=... replaced by the started gateway's address (see module docstring).
    data_client_config = InteractiveBrokersDataClientConfig(
        ibg_host=endpoint.host,
        ibg_port=endpoint.port,
        ibg_client_id=1,
        use_regular_trading_hours=False,
        market_data_type=IBMarketDataTypeEnum.REALTIME,
        instrument_provider=instrument_provider_config,
    )
    exec_client_config = InteractiveBrokersExecClientConfig(
        ibg_host=endpoint.host,
        ibg_port=endpoint.port,
        ibg_client_id=1,
        account_id=LIVE_ACCOUNT,
        instrument_provider=instrument_provider_config,
        routing=RoutingConfig(default=True),
    )
    return TradingNodeConfig(
        trader_id="LIVE-TRADER-001",
        logging=LoggingConfig(log_level="INFO"),
        data_clients={IB: data_client_config},
        exec_clients={IB: exec_client_config},
        data_engine=LiveDataEngineConfig(
            time_bars_timestamp_on_close=False,
            validate_data_sequence=True,
        ),
    )


@pytest.mark.parametrize("endpoint", [Endpoint("127.0.0.1", 40123), Endpoint("10.1.2.3", 4001)], ids=str)
def test_live_docker_spec_is_the_guides_live_node_at_the_started_gateway(
    endpoint: Endpoint,
) -> None:
    compiled = compile_seed("live-docker.yaml", endpoint, TWS_ACCOUNT=LIVE_ACCOUNT)
    assert_same_config(compiled.instrument_provider, guide_instrument_provider_config())
    assert_same_config(compiled.node, guide_live_node(endpoint))
    for client in (compiled.data_client, compiled.exec_client):
        assert (client.ibg_host, client.ibg_port) == (endpoint.host, endpoint.port)
        assert client.dockerized_gateway is None


def test_live_docker_without_tws_account_defers_to_nautilus_fallback_like_the_guide() -> None:
    # Guide: account_id=os.environ.get("TWS_ACCOUNT") → None when unset.
    compiled = compile_seed("live-docker.yaml", Endpoint("127.0.0.1", 40123))
    assert compiled.exec_client.account_id is None


def test_live_docker_gateway_section_matches_the_guides_dockerized_gateway_config() -> None:
    # The part nautilus no longer sees: ibrun starts this container itself.
    gateway = load_spec(SPECS / "live-docker.yaml", LoadOptions(environ={"TWS_ACCOUNT": LIVE_ACCOUNT})).spec.gateway
    assert gateway.kind == "docker"
    assert (gateway.trading_mode, gateway.writable, gateway.docker.timeout) == ("live", True, 300)
    assert (gateway.docker.username.env, gateway.docker.password.env) == (
        "TWS_USERNAME",
        "TWS_PASSWORD",
    )
    assert gateway.is_live


# --- every seed spec --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SPECS / name for name in SEED_SPECS], ids=lambda path: path.name)
def test_seed_spec_starts_with_the_schema_modeline(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/ibrun-spec.schema.json"


ENVIRONMENTS = SPECS.parent / "examples" / "environments"
SCHEMA = SPECS.parent / "schemas" / "ibrun-spec.schema.json"


@pytest.mark.parametrize(
    "path",
    [*(SPECS / name for name in SEED_SPECS), *sorted(ENVIRONMENTS.glob("*.yaml"))],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_shipped_yaml_is_valid_against_the_editor_schema(path: Path) -> None:
    # What the modeline promises: no red squiggles in an editor, before any interpolation.
    import jsonschema
    import yaml

    schema = json.loads(SCHEMA.read_text())
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(path.read_text())))
    assert [error.message for error in errors] == []
