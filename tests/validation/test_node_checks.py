"""The node's production sections in `ibrun validate` (warnings included), `--deep` (nautilus'
decoder for strategy configs and `node.nautilus`), `render`, `diff` and `config` (the Redis
password masked)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

LIVE = "gateway: {host: 127.0.0.1, app: gateway, trading_mode: live}"
PAPER = "gateway: {host: 127.0.0.1, app: gateway, trading_mode: paper}"
REDIS_CACHE = "  cache: {database: {port: 6379}}"


def write(tmp_path: Path, gateway: str, node: str, extra: str = "", name: str = "spec.yaml") -> str:
    path = tmp_path / name
    body = f"version: 1\n{gateway}\ninstruments: {{load_ids: [AAPL.NASDAQ]}}\nexec: {{client_id: 2}}\n{extra}"
    path.write_text(body + "node:\n" + node)
    return str(path)


# --- warnings ----------------------------------------------------------------------------------


def test_live_redis_cache_without_reconciliation_is_a_warning_exit_0(ibrun, tmp_path: Path) -> None:
    spec = write(tmp_path, LIVE, REDIS_CACHE + "\n  exec_engine: {reconciliation: false}\n")
    result = ibrun("validate", spec)
    assert result.exit_code == 0, result.stdout
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"{spec}:7:33: $.node.exec_engine.reconciliation: warning: a live node with a Redis cache")
    assert summary == "ok: 1 file valid (1 warning)"


def test_warnings_in_json_and_github_formats(ibrun, tmp_path: Path) -> None:
    spec = write(tmp_path, LIVE, REDIS_CACHE + "\n  exec_engine: {reconciliation: false}\n")
    document = json.loads(ibrun("validate", "--format", "json", spec).stdout)
    assert document["status"] == "ok"
    [report] = document["files"]
    assert report["valid"] is True and report["errors"] == []
    assert [w["path"] for w in report["warnings"]] == ["$.node.exec_engine.reconciliation"]
    github = ibrun("validate", "--format", "github", spec).stdout.splitlines()
    assert github[0].startswith(f"::warning file={spec},line=7,col=33,title=ibrun $.node.exec_engine.reconciliation::")


def test_reconciliation_off_is_no_warning_on_paper_or_without_a_database(ibrun, tmp_path: Path) -> None:
    paper = write(tmp_path, PAPER, REDIS_CACHE + "\n  exec_engine: {reconciliation: false}\n", name="p.yaml")
    memory = write(tmp_path, LIVE, "  exec_engine: {reconciliation: false}\n", name="m.yaml")
    assert ibrun("validate", paper, memory).stdout.strip() == "ok: 2 files valid"


@pytest.mark.parametrize(
    ("node", "path", "says"),
    [
        ("  risk_engine: {bypass: true}\n", "$.node.risk_engine.bypass", "no pre-trade check"),
        ("  save_state: true\n", "$.node.save_state", "needs node.cache.database"),
        ("  acknowledge: [live_flush_on_start]\n", "$.node.acknowledge[0]", "does not take that risk"),
    ],
)
def test_other_warnings(ibrun, tmp_path: Path, node: str, path: str, says: str) -> None:
    result = ibrun("validate", write(tmp_path, LIVE, node))
    assert result.exit_code == 0
    assert f"{path}: warning: " in result.stdout and says in result.stdout


def test_warnings_do_not_hide_errors(ibrun, tmp_path: Path) -> None:
    node = "  cache: {database: {port: 6379}, flush_on_start: true}\n  exec_engine: {reconciliation: false}\n"
    spec = write(tmp_path, LIVE, node)
    result = ibrun("validate", spec)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "invalid: 1 of 1 file (1 error, 1 warning)"


# --- errors from the incidents, and their acknowledgements -------------------------------------


def test_flush_on_start_is_fine_on_paper_and_acknowledged_live(ibrun, tmp_path: Path) -> None:
    flush = "  cache: {database: {port: 6379}, flush_on_start: true}\n"
    paper = write(tmp_path, PAPER, flush, name="paper.yaml")
    live_ack = write(tmp_path, LIVE, flush + "  acknowledge: [live_flush_on_start]\n", name="ack.yaml")
    live = write(tmp_path, LIVE, flush, name="live.yaml")
    assert ibrun("validate", paper, live_ack).stdout.strip() == "ok: 2 files valid"
    result = ibrun("validate", live)
    assert result.exit_code == 1
    assert "$.node.cache.flush_on_start: flush_on_start on a live spec wipes the Redis database" in result.stdout


def test_separate_redis_servers_or_an_acknowledgement(ibrun, tmp_path: Path) -> None:
    apart = REDIS_CACHE + "\n  message_bus: {database: {port: 6380}}\n"
    shared = REDIS_CACHE + "\n  message_bus: {database: {host: localhost}}\n"
    assert ibrun("validate", write(tmp_path, PAPER, apart, name="a.yaml")).exit_code == 0
    result = ibrun("validate", write(tmp_path, PAPER, shared, name="s.yaml"))
    assert result.exit_code == 1
    assert "use the same Redis server 127.0.0.1:6379" in result.stdout
    acknowledged = write(tmp_path, PAPER, shared + "  acknowledge: [shared_redis_database]\n", name="k.yaml")
    assert ibrun("validate", acknowledged).stdout.strip() == "ok: 1 file valid"


def test_escape_hatch_refuses_what_the_model_types(ibrun, tmp_path: Path) -> None:
    node = "  nautilus: {environment: backtest, timeout_connection: 5, loop_debug: true}\n"
    result = ibrun("validate", write(tmp_path, PAPER, node))
    assert result.exit_code == 1
    assert "$.node.nautilus.environment: 'environment' cannot be set: ibrun runs a live TradingNode" in result.stdout
    assert "'timeout_connection' is set by node.timeouts.connection in a spec" in result.stdout
    assert "loop_debug" not in result.stdout


@pytest.mark.parametrize(
    "instruments",
    [
        "instruments: {contracts: [{secType: CONTFUT, exchange: CME, symbol: ES, build_futures_chain: true}]}",
        "instruments: {load_ids: [SPY.ARCA], convert_exchange_to_mic_venue: true}",
    ],
)
def test_subscriptions_possibly_loaded_are_left_to_the_run(ibrun, tmp_path: Path, instruments: str) -> None:
    path = tmp_path / "s.yaml"
    instrument = "ESZ6.CME" if "CONTFUT" in instruments else "SPY.ARCX"
    path.write_text(
        f"version: 1\n{instruments}\ndata: {{subscriptions: [{{instrument: {instrument}, quotes: true}}]}}\n"
    )
    assert ibrun("validate", str(path)).exit_code == 0


# --- --deep: nautilus' decoder ------------------------------------------------------------------


def test_deep_checks_strategy_and_actor_configs_with_their_classes(ibrun, tmp_path: Path) -> None:
    node = """\
      strategies:
        - path: examples.strategies.demo:DemoStrategy
          config: {instrument_id: AAPL.NASDAQ, qtty: 1}
        - path: examples.strategies.resting:RestingOrderStrategy
          config: {instrument_id: AAPL.NASDAQ, limit_offset_ticks: many}
    """
    spec = write(tmp_path, PAPER, textwrap.indent(textwrap.dedent(node), "  "))
    assert ibrun("validate", spec).exit_code == 0  # the light check cannot know the classes
    result = ibrun("validate", "--deep", spec)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{spec}:8:44: $.node.strategies[0].config.qtty: DemoStrategyConfig: unknown field 'qtty' "
        f"(fields: {', '.join(_fields('examples.strategies.demo:DemoStrategyConfig'))})"
    )
    assert lines[1] == (
        f"{spec}:10:64: $.node.strategies[1].config.limit_offset_ticks: "
        "RestingOrderStrategyConfig: Expected `int`, got `str`"
    )


def test_deep_suggests_a_close_field(ibrun, tmp_path: Path) -> None:
    node = "  strategies: [{path: 'examples.strategies.demo:DemoStrategy', config: {trade_sise: 1}}]\n"
    result = ibrun("validate", "--deep", write(tmp_path, PAPER, node))
    assert "DemoStrategyConfig: unknown field 'trade_sise'; did you mean 'trade_size'?" in result.stdout


def test_deep_decodes_the_escape_hatch_with_nautilus(ibrun, tmp_path: Path) -> None:
    node = (
        "  nautilus:\n    emulatr: {}\n    loop_debug: 3\n    emulator: {debgu: true}\n    catalogs: [{path: /data}]\n"
    )
    spec = write(tmp_path, PAPER, node)
    assert ibrun("validate", spec).exit_code == 0
    result = ibrun("validate", "--deep", spec)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        f"{spec}:7:5: $.node.nautilus.emulatr: TradingNodeConfig: unknown field 'emulatr'; did you mean 'emulator'?",
        f"{spec}:8:17: $.node.nautilus.loop_debug: TradingNodeConfig: Expected `bool`, got `int`",
        f"{spec}:9:16: $.node.nautilus.emulator.debgu: TradingNodeConfig: unknown field 'debgu'",
    ]


def test_deep_passes_a_valid_production_spec(ibrun, repo_root: Path) -> None:
    result = ibrun("validate", "--deep", str(repo_root / "specs" / "production.yaml"))
    assert result.exit_code == 0, result.stdout


def _fields(path: str) -> tuple[str, ...]:
    from runner.compile.build import resolve

    return tuple(resolve(path).__struct_fields__)


# --- render, diff, config: the password ----------------------------------------------------------

SECRET = "redis-Jf8-never-shown"
WITH_PASSWORD = "  cache: {database: {port: 6390, password: {env: IBRUN_TEST_PW}}}\n"


def test_render_masks_the_password_and_needs_no_secret(ibrun, tmp_path: Path, monkeypatch) -> None:
    spec = write(tmp_path, PAPER, WITH_PASSWORD)
    monkeypatch.delenv("IBRUN_TEST_PW", raising=False)
    masked = ibrun("render", spec)
    assert masked.exit_code == 0, masked.stderr
    assert json.loads(masked.stdout)["cache"]["database"]["password"] == "********"
    monkeypatch.setenv("IBRUN_TEST_PW", SECRET)
    assert SECRET not in ibrun("render", spec).stdout
    shown = ibrun("render", "--show-secrets", spec)
    assert json.loads(shown.stdout)["cache"]["database"]["password"] == SECRET


def test_render_show_secrets_without_the_variable_is_a_located_error(ibrun, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("IBRUN_TEST_PW", raising=False)
    result = ibrun("render", "--show-secrets", write(tmp_path, PAPER, WITH_PASSWORD))
    assert result.exit_code == 1
    assert "node.cache.database.password: environment variable IBRUN_TEST_PW is not set or empty" in result.stderr


def test_diff_compares_references_never_values(ibrun, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IBRUN_TEST_PW", SECRET)
    old = write(tmp_path, PAPER, WITH_PASSWORD, name="old.yaml")
    new = write(tmp_path, PAPER, WITH_PASSWORD.replace("env: IBRUN_TEST_PW", "file: ./pw"), name="new.yaml")
    masked = ibrun("diff", old, new)
    assert masked.exit_code == 1
    assert masked.stdout == "$.cache.database.password: ******** → ********\n"
    shown = ibrun("diff", "--show-secrets", old, new)
    assert shown.stdout == '$.cache.database.password: "env:IBRUN_TEST_PW" → "file:./pw"\n'
    assert SECRET not in masked.stdout + shown.stdout


def test_config_shows_the_reference(ibrun, tmp_path: Path) -> None:
    result = ibrun("config", write(tmp_path, PAPER, WITH_PASSWORD))
    assert result.exit_code == 0, result.stderr
    assert "        env: IBRUN_TEST_PW" in result.stdout


def test_deep_imports_exec_algorithms_and_checks_their_configs(ibrun, tmp_path: Path) -> None:
    twap = "nautilus_trader.examples.algorithms.twap:TWAPExecAlgorithm"
    good = write(tmp_path, PAPER, f"  exec_algorithms: [{{path: '{twap}', config: {{exec_algorithm_id: TWAP}}}}]\n")
    assert ibrun("validate", "--deep", good).exit_code == 0
    node = (
        f"  exec_algorithms:\n    - {{path: '{twap}', config: {{exec_algorithm_idd: TWAP}}}}\n"
        "    - {path: 'no.such:Algo'}\n"
    )
    result = ibrun("validate", "--deep", write(tmp_path, PAPER, node, name="bad.yaml"))
    assert result.exit_code == 1
    assert (
        "$.node.exec_algorithms[0].config.exec_algorithm_idd: TWAPExecAlgorithmConfig: unknown field" in result.stdout
    )
    assert "$.node.exec_algorithms[1].path: cannot import module 'no.such'" in result.stdout
