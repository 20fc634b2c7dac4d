"""The live-trading interlock: the spec, the gateway's accounts and ports; exit 3 end to end."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from runner.errors import ExitCode, GatewayModeConflict, LiveNotConfirmed
from runner.launch.interlock import CONFIRM_ENV, Consent, Interlock
from runner.model import Spec
from runner.model.parse import parse_spec
from tests.launch.helpers import REPO, SilentServer, StreamWatcher, free_port, kill_group, run

LIVE_TWS = {
    "version": 1,
    "trader_id": "LIVE-BOT-001",
    "gateway": {"app": "tws", "port": 7496},
    "exec": {"account_id": "U1234567"},
}
PAPER_EXISTING = {
    "version": 1,
    "trader_id": "PAPER-BOT-001",
    "gateway": {"host": "127.0.0.1", "port": 4002, "trading_mode": "paper"},
    "exec": {"account_id": "U1234567"},
}
DOCKER = {
    "version": 1,
    "trader_id": "DOCKER-BOT-001",
    "gateway": {"trading_mode": "paper", "docker": {}},
}


def spec(base: dict[str, Any] = LIVE_TWS, **overrides: object) -> Spec:
    data = {**base, **overrides}
    return parse_spec({key: value for key, value in data.items() if value is not None})


def check(spec: Spec, command: Any = "run", confirm: bool = False, environ: dict[str, str] | None = None) -> bool:
    return Interlock(spec, command, Consent(confirm, environ or {})).before_start()


def test_refuses_live_writable_with_exact_reasons() -> None:
    with pytest.raises(LiveNotConfirmed) as info:
        check(spec())
    message = str(info.value)
    assert message.splitlines()[0] == (
        "refusing to trade live without confirmation: this spec can send real orders because"
    )
    assert "  - gateway.port 7496 is a live-trading port (4001 = IB Gateway live, 7496 = TWS live)" in message
    assert "  - gateway.read_only_api is unset (an existing gateway defaults to a writable API)" in message
    assert "  - exec: is configured (account_id: U1234567)" in message
    assert f"pass --confirm-live, or set {CONFIRM_ENV}=LIVE-BOT-001" in message
    assert info.value.exit_code == ExitCode.LIVE_NOT_CONFIRMED == 3


def test_trading_mode_live_default_port_is_named() -> None:
    live = spec(gateway={"app": "gateway", "trading_mode": "live", "read_only_api": False})
    with pytest.raises(LiveNotConfirmed) as info:
        check(live)
    assert "gateway.trading_mode is 'live'" in str(info.value)
    assert "gateway.port defaults to 4001 for app='gateway', trading_mode='live'" in str(info.value)
    assert "gateway.read_only_api is false" in str(info.value)


def test_accepts_confirmation_flag_and_env() -> None:
    assert check(spec(), confirm=True) is True
    assert check(spec(), environ={CONFIRM_ENV: "LIVE-BOT-001"}) is True


def test_env_for_another_trader_does_not_confirm() -> None:
    with pytest.raises(LiveNotConfirmed) as info:
        check(spec(), environ={CONFIRM_ENV: "OTHER-BOT-001"})
    assert "is set to 'OTHER-BOT-001', which is not this spec's trader_id" in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"gateway": {"app": "tws", "port": 7496, "read_only_api": True}},  # read-only
        {"exec": None},  # no exec client, and ibrun starts no gateway
        {"gateway": {"app": "tws", "port": 7497}},  # paper port
    ],
)
def test_not_live_trading(overrides: dict) -> None:
    assert check(spec(**overrides)) is False


# --- the gateway's managed accounts (after the handshake) --------------------------------------


def test_a_paper_spec_on_a_live_login_is_live() -> None:
    interlock = Interlock(spec(PAPER_EXISTING), "run", Consent())
    assert interlock.before_start() is False  # the spec alone says paper
    with pytest.raises(LiveNotConfirmed) as info:
        interlock.after_handshake(["U1234567"], "127.0.0.1:4002")
    message = str(info.value)
    assert (
        "  - the gateway at 127.0.0.1:4002 manages U1234567 (a live account) although the spec says "
        "trading_mode 'paper' (paper accounts start with DU or DF)"
    ) in message
    assert "exec: is configured (account_id: U1234567)" in message
    assert Interlock(spec(PAPER_EXISTING), "run", Consent(True)).after_handshake(["U1234567"], "x") is True


@pytest.mark.parametrize(
    ("accounts", "refused"),
    [
        (["DU123456"], False),
        (["DU1", "DU2"], False),
        (["DF99", "DU1"], False),  # a paper advisor login
        (["F123", "U456"], True),  # a live advisor login
        (["DU1", "U2"], True),
        (["X999"], True),  # no known paper id: counted as live
    ],
)
def test_account_kinds(accounts: list[str], refused: bool) -> None:
    interlock = Interlock(spec(PAPER_EXISTING), "run", Consent())
    if refused:
        with pytest.raises(LiveNotConfirmed):
            interlock.after_handshake(accounts, "h:1")
    else:
        assert interlock.after_handshake(accounts, "h:1") is False


def test_live_accounts_matter_only_where_orders_can_go() -> None:
    read_only = spec(PAPER_EXISTING, gateway={**PAPER_EXISTING["gateway"], "read_only_api": True})
    assert Interlock(read_only, "run", Consent()).after_handshake(["U1"], "h:1") is False
    # A download or instrument fetch never places orders through an existing gateway.
    for command in ("download", "instruments fetch"):
        assert Interlock(spec(PAPER_EXISTING), command, Consent()).after_handshake(["U1"], "h:1") is False
    # The simulator is ibrun's own: never live, whatever accounts it is given.
    simulated = spec(PAPER_EXISTING, gateway={"simulated": {"accounts": ["U1"]}})
    assert Interlock(simulated, "run", Consent()).after_handshake(["U1"], "h:1") is False


# --- containers ibrun starts ---------------------------------------------------------------------


@pytest.mark.parametrize("command", ["gateway up", "download", "instruments fetch", "run"])
def test_starting_a_live_writable_container_needs_consent_whatever_the_command(command: str) -> None:
    live = spec(DOCKER, gateway={"trading_mode": "live", "read_only_api": False, "docker": {}})
    with pytest.raises(LiveNotConfirmed) as info:
        check(live, command)
    message = str(info.value)
    assert message.startswith(f"refusing to start a live, writable gateway without confirmation (ibrun {command})")
    assert "  - gateway.trading_mode is 'live'" in message
    assert "  - ibrun starts this gateway (gateway.docker) and leaves its API open while it runs" in message
    assert check(live, command, confirm=True) is True
    read_only = spec(DOCKER, gateway={"trading_mode": "live", "docker": {}})  # docker: read-only by default
    assert check(read_only, command) is False


def test_a_paper_container_that_logs_in_live_is_refused() -> None:
    paper = spec(DOCKER, gateway={"trading_mode": "paper", "read_only_api": False, "docker": {}})
    interlock = Interlock(paper, "gateway up", Consent())
    assert interlock.before_start() is False
    with pytest.raises(LiveNotConfirmed, match="manages U7 \\(a live account\\) although the spec says"):
        interlock.after_handshake(["U7"], "127.0.0.1:5000")


@pytest.mark.parametrize(
    ("mode", "port", "what"),
    [
        ("live", 4002, "4002 (IB Gateway paper)"),
        ("live", 7497, "7497 (TWS paper)"),
        ("paper", 4001, "4001 (IB Gateway live)"),
    ],
)
def test_a_container_on_the_other_modes_port_is_refused_even_when_confirmed(mode: str, port: int, what: str) -> None:
    conflicting = spec(DOCKER, gateway={"trading_mode": mode, "docker": {"host_port": port}})
    for command in ("gateway up", "run", "download"):
        with pytest.raises(GatewayModeConflict) as info:
            check(conflicting, command, confirm=True)
        assert f"gateway.docker.host_port {what} is IB's" in str(info.value)
        assert info.value.exit_code == 3
    fitting = spec(DOCKER, gateway={"trading_mode": mode, "docker": {"host_port": 4001 if mode == "live" else 4002}})
    assert check(fitting, "gateway up") is False  # no conflict (and read-only: nothing to confirm)


# --- end to end ----------------------------------------------------------------------------------


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


class LiveLoginSim:
    """`ibrun sim` announcing a live account: a gateway logged in to real money, as far as a
    client can tell (its orders go nowhere)."""

    def __init__(self, account: str) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "runner.sim", "--port", str(self.port), "--account", account]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.out = StreamWatcher(self.proc.stdout)
        assert self.out.wait_for("IBRUN-SIM READY", 30), "the simulator did not start"

    def __enter__(self) -> LiveLoginSim:
        return self

    def __exit__(self, *exc: object) -> None:
        kill_group(self.proc.pid)
        self.proc.wait(10)


SPEC_SAYS_PAPER = """\
version: 1
trader_id: PAPER-BOT-001
gateway: {{host: 127.0.0.1, port: {port}, trading_mode: paper}}
instruments: {{load_ids: [EUR/USD.IDEALPRO]}}
exec: {{client_id: 2, account_id: U1234567}}
node:
  timeouts: {{connection: 20.0, disconnection: 2.0, post_stop: 0.2}}
"""


@pytest.mark.slow
def test_a_paper_spec_pointed_at_a_live_login_exits_3_naming_the_account(tmp_path: Path) -> None:
    with LiveLoginSim("U1234567") as sim:
        path = tmp_path / "paper.yaml"
        path.write_text(SPEC_SAYS_PAPER.format(port=sim.port))
        refused = run(str(path), "--no-status", timeout=90)
        confirmed = run(str(path), "--no-status", "--duration", "0.5", "--confirm-live", timeout=120)
    assert refused.returncode == 3, refused.stderr[-3000:]
    assert f"the gateway at 127.0.0.1:{sim.port} manages U1234567 (a live account)" in refused.stderr
    assert "although the spec says trading_mode 'paper'" in refused.stderr
    assert "Traceback" not in refused.stderr and "TradingNode" not in refused.stdout + refused.stderr
    assert confirmed.returncode == 0, confirmed.stderr[-3000:]
