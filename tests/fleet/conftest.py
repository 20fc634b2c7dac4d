"""Fixtures of the fleet tests: a fleet directory with two member specs on one gateway."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.gateway.conftest import engine, test_image  # noqa: F401  (the podman engine and gateway image)

TEST_USER = "fleet-test-user"
TEST_PASSWORD = "fleet-pw-K3v9-never-printed"  # distinctive, so a leak is found by grep

MEMBER = """\
version: 1
trader_id: {trader}
gateway:
  trading_mode: paper
instruments:
  load_ids: [EUR/USD.IDEALPRO]
data:
  client_id: {client}
  market_data_type: DELAYED_FROZEN
  subscriptions:
    - {{instrument: EUR/USD.IDEALPRO, quotes: true}}
{extra}
"""
TRADING = """\
exec:
  client_id: {client}
  account_id: ${{FLEET_TEST_ACCOUNT:-DU123456}}
node:
  timeouts: {{connection: 60.0, reconciliation: 5.0, disconnection: 3.0, post_stop: 1.0}}
  strategies:
    - path: examples.strategies.demo:DemoStrategy
      config:
        instrument_id: EUR/USD.IDEALPRO
        bar_spec: 5-SECOND-MID
        trade_size: 20000
        market_at: 1.0
        limit_at: 2.0
        modify_at: 100000.0
        cancel_at: 100000.0
        close_at: 100000.0
        stop_after: 0
"""


def write_fleet(directory: Path, *, name: str, images: dict[str, str] | None = None, extra: str = "") -> Path:
    """A fleet of two members (a trades, b only watches) on one paper gateway."""
    specs = directory / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    (specs / "a.yaml").write_text(MEMBER.format(trader="FLEETA-001", client=11, extra=TRADING.format(client=12)))
    (specs / "b.yaml").write_text(MEMBER.format(trader="FLEETB-001", client=21, extra=""))
    (directory / "secrets").mkdir(exist_ok=True)
    (directory / "secrets" / "paper_password").write_text(TEST_PASSWORD + "\n")
    image_lines = "".join(f"  {key}: {value}\n" for key, value in (images or {}).items())
    fleet = directory / "fleet.yaml"
    fleet.write_text(
        f"kind: fleet\nversion: 1\nname: {name}\n"
        + (f"images:\n{image_lines}" if image_lines else "")
        + "gateways:\n  paper:\n    trading_mode: paper\n    username: {env: FLEET_TEST_USER}\n"
        "    password: {file: ./secrets/paper_password}\n    read_only_api: false\n"
        # the test gateway logs in only with exactly this password (it arrived as TWS_PASSWORD_FILE)
        f"    env: {{IBRUN_TEST_EXPECTED_SHA256: {hashlib.sha256(TEST_PASSWORD.encode()).hexdigest()}}}\n"
        "members:\n  - {name: a, spec: specs/a.yaml, gateway: paper}\n"
        "  - {name: b, spec: specs/b.yaml, gateway: paper, resources: {cpu: 250m, memory: 512Mi}}\n" + extra
    )
    return fleet


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    return tmp_path / "fleet"
