"""Every production section of `node:` compiles to exactly the nautilus config the same Python
would build: each config below is written with nautilus' own classes, field by field, and compared
through nautilus' JSON encoding (as `tests/compile/test_golden_specs.py` does for the guide).

Also: the model covers every field of each nautilus config (a new nautilus field fails here until
it has a spec key), sections the spec leaves out are not passed (nautilus' defaults stay), and the
escape hatch `node.nautilus` gives what nautilus' decoder gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd
import pytest
from nautilus_trader.cache.config import CacheConfig
from nautilus_trader.common.config import (
    DatabaseConfig,
    ImportableActorConfig,
    LoggingConfig,
    MessageBusConfig,
    OrderEmulatorConfig,
)
from nautilus_trader.core.uuid import UUID4
from nautilus_trader.execution.config import ImportableExecAlgorithmConfig
from nautilus_trader.live.config import (
    LiveDataEngineConfig,
    LiveExecEngineConfig,
    LiveRiskEngineConfig,
    TradingNodeConfig,
)
from nautilus_trader.model.data import QuoteTick, TradeTick
from nautilus_trader.model.enums import BarAggregation
from nautilus_trader.model.identifiers import ClientId, ClientOrderId, InstrumentId
from nautilus_trader.persistence.config import DataCatalogConfig, StreamingConfig
from nautilus_trader.persistence.writer import RotationMode
from nautilus_trader.portfolio.config import PortfolioConfig

from runner.compile.compiler import LOGGING_FIELDS, compile_spec
from runner.compile.render import canonical
from runner.compile.secrets import read_secrets
from runner.compile.values import ROTATION_MODES
from runner.loading.options import LoadOptions
from runner.model.engines import DataEngine, ExecEngine, Portfolio, RiskEngine
from runner.model.node import TYPED_NAUTILUS_KEYS, Logging
from runner.model.parse import parse_spec
from runner.model.state import Cache, Database, MessageBus, Streaming
from runner.validation.pipeline import load_spec

SPECS = Path(__file__).resolve().parents[2] / "specs"
INSTANCE = "6a4b1c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"
SECRETS = read_secrets(Path("."), {"CACHE_PW": "cache-secret", "BUS_PW": "bus-secret"})

# Every field of every section, each set to something other than nautilus' default.
NODE: dict[str, Any] = {
    "logging": {
        "level": "DEBUG",
        "file_level": "WARNING",
        "file_format": "json",
        "directory": "/var/log/ibrun",
        "file_name": "node",
        "component_levels": {"Portfolio": "ERROR"},
        "colors": False,
        "max_file_size": 1000000,
        "max_backup_count": 3,
        "components_only": True,
        "clear_log_file": True,
        "fileout_sync_on_flush": False,
        "buffered_stdout": True,
        "print_config": True,
        "use_tracing": True,
        "use_pyo3": True,
        "bypass": True,
    },
    "data_engine": {
        "time_bars_timestamp_on_close": False,
        "time_bars_interval_type": "right-open",
        "time_bars_skip_first_non_full_bar": True,
        "time_bars_build_with_no_updates": False,
        "time_bars_origin_offset": {"MINUTE": 30, "HOUR": 90.5},
        "time_bars_build_delay": 15,
        "validate_data_sequence": True,
        "buffer_deltas": True,
        "emit_quotes_from_book": True,
        "emit_quotes_from_book_depths": True,
        "external_clients": ["BINANCE"],
        "qsize": 5000,
        "graceful_shutdown_on_exception": True,
        "debug": True,
    },
    "risk_engine": {
        "bypass": True,
        "max_order_submit_rate": "10/00:00:01",
        "max_order_modify_rate": "5/00:00:02.5",
        "max_notional_per_order": {"AAPL.NASDAQ": 50000},
        "qsize": 6000,
        "graceful_shutdown_on_exception": True,
        "debug": True,
    },
    "exec_engine": {
        "reconciliation": False,
        "reconciliation_lookback_mins": 1440,
        "reconciliation_instrument_ids": ["AAPL.NASDAQ", "EUR/USD.IDEALPRO"],
        "reconciliation_startup_delay_secs": 3.5,
        "filter_unclaimed_external_orders": True,
        "filter_position_reports": True,
        "filtered_client_order_ids": ["O-1", "O-2"],
        "generate_missing_orders": False,
        "inflight_check_interval_ms": 1000,
        "inflight_check_threshold_ms": 3000,
        "inflight_check_retries": 2,
        "open_check_interval_secs": 7.5,
        "open_check_open_only": False,
        "open_check_lookback_mins": 30,
        "open_check_threshold_ms": 4000,
        "open_check_missing_retries": 1,
        "max_single_order_queries_per_cycle": 4,
        "single_order_query_delay_ms": 50,
        "position_check_interval_secs": 45.0,
        "position_check_lookback_mins": 90,
        "position_check_threshold_ms": 6000,
        "position_check_retries": 7,
        "own_books_audit_interval_secs": 12.0,
        "load_cache": False,
        "manage_own_order_books": True,
        "snapshot_orders": True,
        "snapshot_positions": True,
        "snapshot_positions_interval_secs": 30.0,
        "external_clients": ["OTHER"],
        "allow_overfills": True,
        "purge_closed_orders_interval_mins": 60,
        "purge_closed_orders_buffer_mins": 120,
        "purge_closed_positions_interval_mins": 61,
        "purge_closed_positions_buffer_mins": 121,
        "purge_account_events_interval_mins": 62,
        "purge_account_events_lookback_mins": 122,
        "purge_from_database": True,
        "qsize": 7000,
        "graceful_shutdown_on_exception": True,
        "debug": True,
    },
    "cache": {
        "database": {
            "host": "redis.internal",
            "port": 6380,
            "username": "ibrun",
            "password": {"env": "CACHE_PW"},
            "ssl": True,
            "connection_timeout": 5,
            "response_timeout": 6,
            "number_of_retries": 7,
            "exponent_base": 3,
            "max_delay": 30,
            "factor": 4,
        },
        "encoding": "json",
        "timestamps_as_iso8601": True,
        "persist_account_events": False,
        "buffer_interval_ms": 100,
        "bulk_read_batch_size": 500,
        "use_trader_prefix": False,
        "use_instance_id": True,
        "flush_on_start": True,
        "drop_instruments_on_reset": False,
        "tick_capacity": 1000,
        "bar_capacity": 2000,
    },
    "message_bus": {
        "database": {"host": "bus.internal", "port": 6381, "password": {"env": "BUS_PW"}},
        "encoding": "msgpack",
        "timestamps_as_iso8601": True,
        "buffer_interval_ms": 50,
        "autotrim_mins": 1440,
        "use_trader_prefix": False,
        "use_trader_id": False,
        "use_instance_id": True,
        "streams_prefix": "events",
        "stream_per_topic": False,
        "external_streams": ["signals"],
        "types_filter": ["nautilus_trader.model.data:QuoteTick", "nautilus_trader.model.data:TradeTick"],
        "heartbeat_interval_secs": 5,
    },
    "portfolio": {
        "use_mark_prices": True,
        "use_mark_xrates": True,
        "bar_updates": False,
        "convert_to_account_base_currency": False,
        "min_account_state_logging_interval_ms": 1000,
        "snapshot_interval_ms": 2000,
        "debug": True,
    },
    "streaming": {
        "catalog_path": "/data/catalog",
        "fs_protocol": "file",
        "fs_storage_options": {"auto_mkdir": True},
        "fs_rust_storage_options": {"region": "eu"},
        "flush_interval_ms": 500,
        "replace_existing": True,
        "include_types": ["nautilus_trader.model.data:QuoteTick"],
        "rotation_mode": "scheduled_dates",
        "max_file_size": 1024,
        "rotation_interval": 3600,
        "rotation_time": "02:30",
        "rotation_timezone": "America/New_York",
    },
    "instance_id": INSTANCE,
    "load_state": True,
    "save_state": True,
    "timeouts": {
        "connection": 90.0,
        "reconciliation": 20.0,
        "portfolio": 8.0,
        "disconnection": 6.0,
        "post_stop": 2.0,
        "shutdown": 4.0,
    },
    "actors": [{"path": "examples.actors:Watcher", "config": {"component_id": "W-1"}}],
    "exec_algorithms": [{"path": "examples.algos:Twap", "config": {"exec_algorithm_id": "TWAP"}}],
    "acknowledge": ["shared_redis_database"],
    "nautilus": {
        "emulator": {"debug": True},
        "loop_debug": True,
        "catalogs": [{"path": "/data/catalog", "name": "main"}],
    },
}


def python_node() -> TradingNodeConfig:
    """What a user writes in Python for NODE (the clients left out on both sides)."""
    return TradingNodeConfig(
        trader_id="PROD-TRADER-001",
        instance_id=UUID4.from_str(INSTANCE),
        logging=LoggingConfig(
            log_level="DEBUG",
            log_level_file="WARNING",
            log_file_format="json",
            log_directory="/var/log/ibrun",
            log_file_name="node",
            log_component_levels={"Portfolio": "ERROR"},
            log_colors=False,
            log_file_max_size=1000000,
            log_file_max_backup_count=3,
            log_components_only=True,
            clear_log_file=True,
            fileout_sync_on_flush=False,
            buffered_stdout=True,
            print_config=True,
            use_tracing=True,
            use_pyo3=True,
            bypass_logging=True,
        ),
        data_engine=LiveDataEngineConfig(
            time_bars_timestamp_on_close=False,
            time_bars_interval_type="right-open",
            time_bars_skip_first_non_full_bar=True,
            time_bars_build_with_no_updates=False,
            time_bars_origin_offset={
                BarAggregation.MINUTE: pd.Timedelta(seconds=30),
                BarAggregation.HOUR: pd.Timedelta(seconds=90.5),
            },
            time_bars_build_delay=15,
            validate_data_sequence=True,
            buffer_deltas=True,
            emit_quotes_from_book=True,
            emit_quotes_from_book_depths=True,
            external_clients=[ClientId("BINANCE")],
            qsize=5000,
            graceful_shutdown_on_exception=True,
            debug=True,
        ),
        risk_engine=LiveRiskEngineConfig(
            bypass=True,
            max_order_submit_rate="10/00:00:01",
            max_order_modify_rate="5/00:00:02.5",
            max_notional_per_order={"AAPL.NASDAQ": 50000},
            qsize=6000,
            graceful_shutdown_on_exception=True,
            debug=True,
        ),
        exec_engine=LiveExecEngineConfig(
            reconciliation=False,
            reconciliation_lookback_mins=1440,
            reconciliation_instrument_ids=[
                InstrumentId.from_str("AAPL.NASDAQ"),
                InstrumentId.from_str("EUR/USD.IDEALPRO"),
            ],
            reconciliation_startup_delay_secs=3.5,
            filter_unclaimed_external_orders=True,
            filter_position_reports=True,
            filtered_client_order_ids=[ClientOrderId("O-1"), ClientOrderId("O-2")],
            generate_missing_orders=False,
            inflight_check_interval_ms=1000,
            inflight_check_threshold_ms=3000,
            inflight_check_retries=2,
            open_check_interval_secs=7.5,
            open_check_open_only=False,
            open_check_lookback_mins=30,
            open_check_threshold_ms=4000,
            open_check_missing_retries=1,
            max_single_order_queries_per_cycle=4,
            single_order_query_delay_ms=50,
            position_check_interval_secs=45.0,
            position_check_lookback_mins=90,
            position_check_threshold_ms=6000,
            position_check_retries=7,
            own_books_audit_interval_secs=12.0,
            load_cache=False,
            manage_own_order_books=True,
            snapshot_orders=True,
            snapshot_positions=True,
            snapshot_positions_interval_secs=30.0,
            external_clients=[ClientId("OTHER")],
            allow_overfills=True,
            purge_closed_orders_interval_mins=60,
            purge_closed_orders_buffer_mins=120,
            purge_closed_positions_interval_mins=61,
            purge_closed_positions_buffer_mins=121,
            purge_account_events_interval_mins=62,
            purge_account_events_lookback_mins=122,
            purge_from_database=True,
            qsize=7000,
            graceful_shutdown_on_exception=True,
            debug=True,
        ),
        cache=CacheConfig(
            database=DatabaseConfig(
                host="redis.internal",
                port=6380,
                username="ibrun",
                password="cache-secret",
                ssl=True,
                connection_timeout=5,
                response_timeout=6,
                number_of_retries=7,
                exponent_base=3,
                max_delay=30,
                factor=4,
            ),
            encoding="json",
            timestamps_as_iso8601=True,
            persist_account_events=False,
            buffer_interval_ms=100,
            bulk_read_batch_size=500,
            use_trader_prefix=False,
            use_instance_id=True,
            flush_on_start=True,
            drop_instruments_on_reset=False,
            tick_capacity=1000,
            bar_capacity=2000,
        ),
        message_bus=MessageBusConfig(
            database=DatabaseConfig(host="bus.internal", port=6381, password="bus-secret"),
            encoding="msgpack",
            timestamps_as_iso8601=True,
            buffer_interval_ms=50,
            autotrim_mins=1440,
            use_trader_prefix=False,
            use_trader_id=False,
            use_instance_id=True,
            streams_prefix="events",
            stream_per_topic=False,
            external_streams=["signals"],
            types_filter=[QuoteTick, TradeTick],
            heartbeat_interval_secs=5,
        ),
        portfolio=PortfolioConfig(
            use_mark_prices=True,
            use_mark_xrates=True,
            bar_updates=False,
            convert_to_account_base_currency=False,
            min_account_state_logging_interval_ms=1000,
            snapshot_interval_ms=2000,
            debug=True,
        ),
        streaming=StreamingConfig(
            catalog_path="/data/catalog",
            fs_protocol="file",
            fs_storage_options={"auto_mkdir": True},
            fs_rust_storage_options={"region": "eu"},
            flush_interval_ms=500,
            replace_existing=True,
            include_types=[QuoteTick],
            rotation_mode=RotationMode.SCHEDULED_DATES,
            max_file_size=1024,
            rotation_interval=pd.Timedelta(hours=1),
            rotation_time=dt.time(2, 30),
            rotation_timezone="America/New_York",
        ),
        load_state=True,
        save_state=True,
        timeout_connection=90.0,
        timeout_reconciliation=20.0,
        timeout_portfolio=8.0,
        timeout_disconnection=6.0,
        timeout_post_stop=2.0,
        timeout_shutdown=4.0,
        actors=[
            ImportableActorConfig(
                actor_path="examples.actors:Watcher",
                config_path="examples.actors:WatcherConfig",
                config={"component_id": "W-1"},
            )
        ],
        exec_algorithms=[
            ImportableExecAlgorithmConfig(
                exec_algorithm_path="examples.algos:Twap",
                config_path="examples.algos:TwapConfig",
                config={"exec_algorithm_id": "TWAP"},
            )
        ],
        emulator=OrderEmulatorConfig(debug=True),
        loop_debug=True,
        catalogs=[DataCatalogConfig(path="/data/catalog", name="main")],
    )


def primitives(config: Any) -> Any:
    return canonical(msgspec.json.decode(config.json()))


def compiled_node(node: dict[str, Any], **spec: Any) -> TradingNodeConfig:
    parsed = parse_spec({"version": 1, "trader_id": "PROD-TRADER-001", "node": node, **spec})
    return compile_spec(parsed, secrets=SECRETS).node


SECTIONS = [
    "logging",
    "data_engine",
    "risk_engine",
    "exec_engine",
    "cache",
    "message_bus",
    "portfolio",
    "streaming",
    "instance_id",
    "load_state",
    "save_state",
    "actors",
    "exec_algorithms",
    "emulator",
    "loop_debug",
    "catalogs",
    "timeout_connection",
    "timeout_shutdown",
]


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_is_what_the_same_python_builds(section: str) -> None:
    compiled, python = compiled_node(NODE), python_node()
    assert type(getattr(compiled, section)) is type(getattr(python, section))
    assert primitives(compiled)[section] == primitives(python)[section]


def test_the_whole_node_is_what_the_same_python_builds() -> None:
    # The IB clients (absent from the Python here) are the guide's golden tests' subject.
    compiled = msgspec.structs.replace(compiled_node(NODE), data_clients={}, exec_clients={})
    assert primitives(compiled) == primitives(python_node())


def test_values_nautilus_cannot_encode_are_the_same_objects() -> None:
    # The origin offsets encode as {"12": ...} and types as names: compare the objects themselves.
    compiled, python = compiled_node(NODE), python_node()
    assert compiled.data_engine.time_bars_origin_offset == python.data_engine.time_bars_origin_offset
    assert compiled.message_bus.types_filter == [QuoteTick, TradeTick]
    assert compiled.streaming.include_types == [QuoteTick]
    assert compiled.streaming.rotation_time == dt.time(2, 30)
    assert compiled.cache.database.password == "cache-secret"


def test_sections_the_spec_leaves_out_keep_nautilus_defaults() -> None:
    compiled, default = compiled_node({}), TradingNodeConfig(trader_id="PROD-TRADER-001")
    for name in ("risk_engine", "exec_engine", "cache", "message_bus", "portfolio", "streaming", "emulator"):
        assert primitives(compiled)[name] == primitives(default)[name], name
    for name in ("instance_id", "load_state", "save_state", "loop_debug", "catalogs", "exec_algorithms"):
        assert getattr(compiled, name) == getattr(default, name), name


def test_a_section_with_one_field_passes_only_that_field() -> None:
    compiled = compiled_node({"exec_engine": {"open_check_interval_secs": 5}, "cache": {"database": {}}})
    assert primitives(compiled.exec_engine) == primitives(LiveExecEngineConfig(open_check_interval_secs=5))
    assert primitives(compiled.cache) == primitives(CacheConfig(database=DatabaseConfig()))


# --- the model covers nautilus ------------------------------------------------------------------


def fields_of(section: type) -> set[str]:
    return {field.name for field in dataclasses.fields(section)}


@pytest.mark.parametrize(
    ("model", "nautilus", "not_in_spec"),
    [
        (DataEngine, LiveDataEngineConfig, set()),
        (RiskEngine, LiveRiskEngineConfig, set()),
        (ExecEngine, LiveExecEngineConfig, set()),
        (Cache, CacheConfig, set()),
        (MessageBus, MessageBusConfig, set()),
        (Database, DatabaseConfig, {"type"}),  # redis is the only type nautilus supports
        (Portfolio, PortfolioConfig, set()),
        (Streaming, StreamingConfig, set()),
    ],
)
def test_every_nautilus_field_has_a_spec_key(model: type, nautilus: type, not_in_spec: set[str]) -> None:
    assert fields_of(model) == set(nautilus.__struct_fields__) - not_in_spec


def test_every_logging_field_has_a_spec_key() -> None:
    assert {LOGGING_FIELDS[name] for name in fields_of(Logging)} == set(LoggingConfig.__struct_fields__)


def test_every_trading_node_argument_is_typed_or_open_to_the_escape_hatch() -> None:
    open_to_escape_hatch = {"emulator", "catalogs", "controller", "loop_debug"}
    assert set(TYPED_NAUTILUS_KEYS) | open_to_escape_hatch == set(TradingNodeConfig.__struct_fields__)
    assert not set(TYPED_NAUTILUS_KEYS) & open_to_escape_hatch


def test_rotation_modes_are_nautilus_members() -> None:
    assert sorted(ROTATION_MODES.values()) == sorted(member.name for member in RotationMode)


# --- specs/production.yaml ---------------------------------------------------------------------


def test_production_spec_is_the_python_production_node() -> None:
    loaded = load_spec(SPECS / "production.yaml", LoadOptions(environ={"TWS_ACCOUNT": "U7654321"}))
    compiled = compile_spec(loaded.spec, secrets=read_secrets(loaded.base_dir, {"REDIS_PASSWORD": "s3cret"})).node
    database = {"host": "127.0.0.1", "password": "s3cret"}
    python = TradingNodeConfig(
        trader_id="PROD-TRADER-001",
        cache=CacheConfig(database=DatabaseConfig(port=6379, connection_timeout=5, **database), encoding="msgpack"),
        message_bus=MessageBusConfig(
            database=DatabaseConfig(port=6380, **database),
            stream_per_topic=False,
            autotrim_mins=1440,
            types_filter=[QuoteTick, TradeTick],
        ),
        exec_engine=LiveExecEngineConfig(
            reconciliation=True,
            reconciliation_lookback_mins=1440,
            open_check_interval_secs=10,
            position_check_interval_secs=60,
            inflight_check_threshold_ms=5000,
            filter_unclaimed_external_orders=False,
            snapshot_orders=True,
            snapshot_positions=True,
            purge_closed_orders_interval_mins=60,
            purge_closed_orders_buffer_mins=1440,
        ),
        risk_engine=LiveRiskEngineConfig(
            max_order_submit_rate="10/00:00:01",
            max_order_modify_rate="10/00:00:01",
            max_notional_per_order={"AAPL.NASDAQ": 50000, "MSFT.NASDAQ": 50000},
        ),
        portfolio=PortfolioConfig(bar_updates=True),
    )
    for section in ("cache", "message_bus", "exec_engine", "risk_engine", "portfolio"):
        assert primitives(getattr(compiled, section)) == primitives(getattr(python, section)), section
    assert compiled.exec_clients["INTERACTIVE_BROKERS"].account_id == "U7654321"
