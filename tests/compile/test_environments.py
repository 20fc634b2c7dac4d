"""examples/environments: each overlay's compiled config differs from base.yaml's exactly where
the overlay says (and its comment claims) — nothing leaks in from elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.compile.compiler import compile_spec
from runner.compile.diff import diff_documents, format_change
from runner.compile.render import node_document
from runner.loading.options import LoadOptions
from runner.validation.pipeline import load_spec

ENVIRONMENTS = Path(__file__).resolve().parents[2] / "examples" / "environments"
DATA = "$.data_clients.INTERACTIVE_BROKERS"
EXEC = "$.exec_clients.INTERACTIVE_BROKERS"
PROVIDER = "instrument_provider"

EXPECTED_CHANGES: dict[str, set[str]] = {
    "paper.yaml": {
        '$.trader_id: "BASE-TRADER-001" → "PAPER-TRADER-001"',
        '$.logging.log_level: "INFO" → "DEBUG"',
        f"{DATA}.ibg_port: 4002 → 7497",
        f"{EXEC}.ibg_port: 4002 → 7497",
    },
    "live.yaml": {
        '$.trader_id: "BASE-TRADER-001" → "LIVE-TRADER-001"',
        '$.logging.log_level_file: null → "INFO"',
        '$.logging.log_directory: null → "logs"',
        f"{DATA}.ibg_port: 4002 → 4001",
        f"{EXEC}.ibg_port: 4002 → 4001",
        f"{DATA}.use_regular_trading_hours: true → false",
        f"{DATA}.market_data_type: 4 → 1  (DELAYED_FROZEN → REALTIME)",
    },
    "ci.yaml": {
        '$.trader_id: "BASE-TRADER-001" → "CI-TRADER-001"',
        '$.logging.log_level: "INFO" → "WARNING"',
        "$.logging.log_colors: true → false",
        "$.timeout_connection: 90.0 → 20.0",
        "$.timeout_post_stop: 10.0 → 1.0",
        f'{DATA}.{PROVIDER}.load_ids: - "SPY.ARCA"',
        f'{DATA}.{PROVIDER}.load_ids: - "AAPL.NASDAQ"',
        f'{EXEC}.{PROVIDER}.load_ids: - "SPY.ARCA"',
        f'{EXEC}.{PROVIDER}.load_ids: - "AAPL.NASDAQ"',
    },
}
# Both files see the same environment, as in one shell; the account is therefore no difference.
ENVIRON = {"TWS_ACCOUNT": "U1234567"}


def rendered(name: str, environ: dict[str, str]) -> dict:
    spec = load_spec(ENVIRONMENTS / name, LoadOptions(environ=environ)).spec
    return node_document(compile_spec(spec), show_secrets=True)


@pytest.mark.parametrize("overlay", sorted(EXPECTED_CHANGES))
def test_overlay_changes_only_what_it_says(overlay: str) -> None:
    changes = diff_documents(rendered("base.yaml", ENVIRON), rendered(overlay, ENVIRON))
    lines = [format_change(change) for change in changes]
    assert len(lines) == len(set(lines))
    assert set(lines) == EXPECTED_CHANGES[overlay]


@pytest.mark.parametrize("overlay", sorted(EXPECTED_CHANGES))
def test_overlay_extends_base(overlay: str) -> None:
    loaded = load_spec(ENVIRONMENTS / overlay, LoadOptions(environ=ENVIRON))
    assert [source.name for source in loaded.sources] == [overlay, "base.yaml"]


def test_base_falls_back_to_the_paper_account_but_live_never_does() -> None:
    base = rendered("base.yaml", {})
    assert base["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] == "DU123456"
    # Unset: None, i.e. nautilus' own TWS_ACCOUNT lookup at start — never the paper account.
    live = rendered("live.yaml", {})
    assert live["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] is None


def test_interpolation_defaults_can_be_overridden_from_the_environment() -> None:
    changes = diff_documents(
        rendered("base.yaml", {}),
        rendered("base.yaml", {"IB_HOST": "10.0.0.9", "TWS_ACCOUNT": "DU999"}),
    )
    assert {format_change(change) for change in changes} == {
        f'{DATA}.ibg_host: "127.0.0.1" → "10.0.0.9"',
        f'{EXEC}.ibg_host: "127.0.0.1" → "10.0.0.9"',
        f'{EXEC}.account_id: "DU123456" → "DU999"',
    }


def test_live_overlay_is_a_docker_live_writable_gateway() -> None:
    gateway = load_spec(ENVIRONMENTS / "live.yaml", LoadOptions(environ=ENVIRON)).spec.gateway
    assert (gateway.kind, gateway.trading_mode, gateway.writable) == ("docker", "live", True)
    assert gateway.host == "127.0.0.1"  # merged from base.yaml
