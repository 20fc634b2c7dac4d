"""Before anything starts: the Redis servers a spec names (exit 15, never nautilus' unstoppable
retries), the password reference, strategy configs through nautilus' decoder; a dry run connects
no database; an instrument a subscription needs but the node did not load stops the run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from runner.errors import ExitCode
from tests.launch.helpers import free_port, run
from tests.launch.state_services import REDIS_PASSWORD, RedisServer, redis_server

__all__ = ["redis_server"]  # fixture

SPEC = """\
    version: 1
    gateway: {{host: 127.0.0.1, port: {gateway_port}}}
    instruments: {{load_ids: [AAPL.NASDAQ]}}
    exec: {{client_id: 2, account_id: DU123456}}
    node:
      cache:
        database: {{port: {redis_port}{password}}}
{extra}"""


PASSWORD_REF = ", password: {env: IBRUN_TEST_REDIS_PW}"


def write(tmp_path: Path, redis_port: int, password: str = PASSWORD_REF, extra: str = "") -> Path:
    path = tmp_path / "state.yaml"
    text = SPEC.format(gateway_port=free_port(), redis_port=redis_port, password=password, extra=extra)
    path.write_text(textwrap.dedent(text))
    return path


def test_wrong_password_is_exit_15_before_the_gateway(tmp_path: Path, redis_server: RedisServer) -> None:
    spec = write(tmp_path, redis_server.port)
    outcome = run(str(spec), env={"IBRUN_TEST_REDIS_PW": "not-the-password"}, timeout=60)
    assert outcome.returncode == ExitCode.DATABASE_UNAVAILABLE, outcome.stderr
    assert f"node.cache.database: Redis at 127.0.0.1:{redis_server.port} refused the login" in outcome.stderr
    assert "not-the-password" not in outcome.stdout + outcome.stderr


def test_no_password_for_a_protected_server(tmp_path: Path, redis_server: RedisServer) -> None:
    outcome = run(str(write(tmp_path, redis_server.port, password="")), timeout=60)
    assert outcome.returncode == ExitCode.DATABASE_UNAVAILABLE, outcome.stderr
    assert "wants a password: set node.cache.database.password" in outcome.stderr


def test_nothing_listening_is_exit_15(tmp_path: Path) -> None:
    port = free_port()
    outcome = run(str(write(tmp_path, port, password="")), timeout=60)
    assert outcome.returncode == ExitCode.DATABASE_UNAVAILABLE, outcome.stderr
    assert f"Redis at 127.0.0.1:{port} does not answer" in outcome.stderr


def test_the_right_password_passes_the_preflight(tmp_path: Path, redis_server: RedisServer) -> None:
    # The preflight passes, so the run goes on to the gateway, where nothing listens (exit 4).
    outcome = run(str(write(tmp_path, redis_server.port)), env={"IBRUN_TEST_REDIS_PW": REDIS_PASSWORD}, timeout=60)
    assert outcome.returncode == ExitCode.GATEWAY_UNREACHABLE, outcome.stderr
    assert REDIS_PASSWORD not in outcome.stdout + outcome.stderr


def test_an_unset_password_variable_is_a_spec_error(tmp_path: Path, redis_server: RedisServer) -> None:
    outcome = run(str(write(tmp_path, redis_server.port)), timeout=60)
    assert outcome.returncode == ExitCode.SPEC_INVALID, outcome.stderr
    expected = "node.cache.database.password: environment variable IBRUN_TEST_REDIS_PW is not set or empty"
    assert expected in outcome.stderr


def test_dry_run_connects_no_database(tmp_path: Path) -> None:
    # Nothing listens on the Redis port and the password variable is unset: a dry run needs neither.
    outcome = run(str(write(tmp_path, free_port())), "--dry-run", timeout=90)
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    assert "node.cache.database: not connected in a dry run" in outcome.stdout


def test_dry_run_checks_strategy_config_with_nautilus(tmp_path: Path) -> None:
    strategies = (
        "      strategies:\n"
        "        - path: examples.strategies.demo:DemoStrategy\n"
        "          config: {instrument_id: AAPL.NASDAQ, qtty: 1}\n"
    )
    spec = write(tmp_path, free_port(), extra=strategies)
    outcome = run(str(spec), "--dry-run", timeout=90)
    assert outcome.returncode == ExitCode.SPEC_INVALID, outcome.stderr[-3000:]
    assert f"{spec}:10:44: $.node.strategies[0].config.qtty: DemoStrategyConfig: unknown field 'qtty'" in outcome.stderr


@pytest.mark.slow
def test_a_subscription_the_node_did_not_load_stops_the_run(tmp_path: Path) -> None:
    """AAPL.NYSE might come from the AAPL contract (validate lets it pass); it does not: exit 9."""
    spec = tmp_path / "sub.yaml"
    spec.write_text(
        textwrap.dedent("""\
        version: 1
        gateway: {simulated: {tick_interval_ms: 100}}
        instruments:
          contracts: [{secType: STK, symbol: AAPL, exchange: SMART, primaryExchange: NASDAQ}]
        data:
          subscriptions: [{instrument: AAPL.NYSE, quotes: true}]
        node: {timeouts: {connection: 20, disconnection: 3, post_stop: 0.5}}
        """)
    )
    outcome = run(str(spec), "--duration", "30", timeout=120)
    assert outcome.returncode == ExitCode.INSTRUMENT_NOT_FOUND, outcome.stderr[-3000:]
    assert "data.subscriptions: AAPL.NYSE not among the loaded instruments (AAPL.NASDAQ)" in outcome.stderr


def test_run_prints_the_specs_warnings_before_anything_starts(tmp_path: Path) -> None:
    spec = tmp_path / "live.yaml"
    spec.write_text(
        textwrap.dedent(f"""\
        version: 1
        gateway: {{host: 127.0.0.1, port: {free_port()}, trading_mode: live}}
        exec: {{client_id: 2, account_id: U1234567}}
        node:
          cache: {{database: {{port: {free_port()}}}}}
          exec_engine: {{reconciliation: false}}
        """)
    )
    outcome = run(str(spec), "--dry-run", timeout=90)
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    assert f"ibrun: {spec}:6:33: $.node.exec_engine.reconciliation: warning: a live node" in outcome.stderr


def test_dry_run_decodes_the_escape_hatch_with_nautilus(tmp_path: Path) -> None:
    spec = write(tmp_path, free_port(), extra="      nautilus: {loop_debug: 3, emulator: {debug: true}}\n")
    outcome = run(str(spec), "--dry-run", timeout=90)
    assert outcome.returncode == ExitCode.SPEC_INVALID, outcome.stderr[-3000:]
    assert f"{spec}:8:26: $.node.nautilus.loop_debug: TradingNodeConfig: Expected `bool`, got `int`" in outcome.stderr
