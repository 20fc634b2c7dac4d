"""The live-trading interlock: unit checks on the model, and the exit code end to end."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from runner.errors import ExitCode, LiveNotConfirmed
from runner.launch.interlock import CONFIRM_ENV, check_live
from runner.model import Spec
from runner.model.parse import parse_spec
from tests.launch.helpers import SilentServer, free_port, run

LIVE_TWS = {
    "version": 1,
    "trader_id": "LIVE-BOT-001",
    "gateway": {"app": "tws", "port": 7496},
    "exec": {"account_id": "U1234567"},
}


def spec(**overrides: object) -> Spec:
    return parse_spec({**LIVE_TWS, **overrides})


def test_refuses_live_writable_with_exact_reasons() -> None:
    with pytest.raises(LiveNotConfirmed) as info:
        check_live(spec(), confirm_live=False, environ={})
    message = str(info.value)
    assert message.splitlines()[0] == (
        "refusing to trade live without confirmation: this spec can send real orders because"
    )
    assert "  - gateway.port 7496 is a live-trading port (4001 = gateway live, 7496 = tws live)" in message
    assert "  - gateway.read_only_api is unset (an existing gateway defaults to a writable API)" in message
    assert "  - exec: is configured (account_id: U1234567)" in message
    assert f"pass --confirm-live, or set {CONFIRM_ENV}=LIVE-BOT-001" in message
    assert info.value.exit_code == ExitCode.LIVE_NOT_CONFIRMED == 3


def test_trading_mode_live_default_port_is_named() -> None:
    live = spec(gateway={"app": "gateway", "trading_mode": "live", "read_only_api": False})
    with pytest.raises(LiveNotConfirmed) as info:
        check_live(live, confirm_live=False, environ={})
    assert "gateway.trading_mode is 'live'" in str(info.value)
    assert "gateway.port defaults to 4001 for app='gateway', trading_mode='live'" in str(info.value)
    assert "gateway.read_only_api is false" in str(info.value)


def test_accepts_confirmation_flag_and_env() -> None:
    assert check_live(spec(), confirm_live=True, environ={}) is True
    assert check_live(spec(), confirm_live=False, environ={CONFIRM_ENV: "LIVE-BOT-001"}) is True


def test_env_for_another_trader_does_not_confirm() -> None:
    with pytest.raises(LiveNotConfirmed) as info:
        check_live(spec(), confirm_live=False, environ={CONFIRM_ENV: "OTHER-BOT-001"})
    assert "is set to 'OTHER-BOT-001', which is not this spec's trader_id" in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"gateway": {"app": "tws", "port": 7496, "read_only_api": True}},  # read-only
        {"exec": None},  # no exec client
        {"gateway": {"app": "tws", "port": 7497}},  # paper port
    ],
)
def test_not_live_trading(overrides: dict) -> None:
    data = {**LIVE_TWS, **overrides}
    if data.get("exec") is None:
        data.pop("exec")
    assert check_live(parse_spec(data), confirm_live=False, environ={}) is False


def write_live_spec(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "live.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        version: 1
        trader_id: LIVE-BOT-001
        gateway: {{host: 127.0.0.1, app: tws, trading_mode: live, port: {port}}}
        exec: {{account_id: U1234567}}
        """)
    )
    return path


@pytest.mark.slow
def test_cli_refuses_with_exit_3_before_connecting(tmp_path: Path) -> None:
    with SilentServer() as server:
        result = run(str(write_live_spec(tmp_path, server.port)), timeout=60)
        assert not server.accepted.is_set(), "the interlock must act before any connection"
    assert result.returncode == 3, result.stderr
    assert "refusing to trade live without confirmation" in result.stderr
    assert "--confirm-live" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "env"])
def test_cli_confirmed_goes_on_to_connect(tmp_path: Path, how: str) -> None:
    port = free_port()  # closed: a confirmed run gets as far as the preflight
    path = str(write_live_spec(tmp_path, port))
    if how == "flag":
        result = run(path, "--confirm-live", timeout=60)
    else:
        result = run(path, env={CONFIRM_ENV: "LIVE-BOT-001"}, timeout=60)
    assert result.returncode == 4, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr
