"""The container plan from a spec: gnzsnz env contract, loopback ports, no secret in env."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner.errors import GatewayStartFailed
from runner.gateway import container as plans
from runner.gateway.secrets import redact, resolve_secret
from runner.model import Spec
from runner.model.gateway import SecretRef
from runner.model.parse import parse_spec


def spec(**docker: Any) -> Spec:
    gateway: dict[str, Any] = {"docker": docker}
    if "trading_mode" in docker:
        gateway["trading_mode"] = docker.pop("trading_mode")
    return parse_spec({"version": 1, "gateway": gateway})


def test_paper_plan_follows_the_gnzsnz_contract() -> None:
    plan = plans.plan_container(spec(twofa_timeout_action="restart"), "/x/a.yaml", "user1")
    assert plan.environment["TWS_USERID"] == "user1"
    assert plan.environment["TWS_PASSWORD_FILE"] == plans.PASSWORD_MOUNT
    assert "TWS_PASSWORD" not in plan.environment
    assert plan.environment["TRADING_MODE"] == "paper"
    assert plan.environment["READ_ONLY_API"] == "yes"  # docker gateways are read-only by default
    assert plan.environment["TWOFA_TIMEOUT_ACTION"] == "restart"
    assert plan.container_port == 4004
    assert plan.ports(15000) == {"4004/tcp": ("127.0.0.1", 15000)}
    assert plan.restart_policy is None
    assert plan.labels["ibrun.spec"] == "/x/a.yaml"
    assert plan.labels["ibrun.trading_mode"] == "paper"


def test_live_writable_plan_with_vnc_and_restart_policy() -> None:
    the_spec = parse_spec(
        {
            "version": 1,
            "gateway": {
                "trading_mode": "live",
                "read_only_api": False,
                "docker": {"vnc_port": 5901, "restart_policy": "on-failure"},
            },
        }
    )
    plan = plans.plan_container(the_spec, "/x/live.yaml", "u")
    assert plan.container_port == 4003
    assert plan.environment["READ_ONLY_API"] == "no"
    assert plan.ports(4001)["5900/tcp"] == ("127.0.0.1", 5901)
    assert plan.restart_policy == {"Name": "on-failure"}
    assert plan.environment["VNC_SERVER_PASSWORD_FILE"] == plans.VNC_PASSWORD_MOUNT


def test_names_are_deterministic_per_spec() -> None:
    a = plans.container_name(spec(), "/x/a.yaml")
    assert a == plans.container_name(spec(), "/x/a.yaml")
    assert a != plans.container_name(spec(), "/y/a.yaml")
    assert a.startswith("ibrun-gw-a-paper-")
    assert plans.container_name(spec(container_name="mine"), "/x/a.yaml") == "mine"


def test_config_change_changes_the_digest() -> None:
    first = plans.plan_container(spec(), "/x/a.yaml", "u").labels[plans.LABEL_CONFIG]
    second = plans.plan_container(spec(env={"TIME_ZONE": "UTC"}), "/x/a.yaml", "u")
    assert first != second.labels[plans.LABEL_CONFIG]


def test_secret_in_env_is_refused() -> None:
    with pytest.raises(GatewayStartFailed, match="TWS_PASSWORD"):
        plans.plan_container(spec(env={"TWS_PASSWORD": "x"}), "/x/a.yaml", "u")


def test_missing_secret_names_the_reference_only(tmp_path: Path) -> None:
    with pytest.raises(GatewayStartFailed, match="environment variable NOPE_PW"):
        resolve_secret(SecretRef(env="NOPE_PW"), tmp_path, "password", {})
    (tmp_path / "pw.txt").write_text("from-file\n")
    assert resolve_secret(SecretRef(file="pw.txt"), tmp_path, "password", {}) == "from-file"


def test_redact_masks_values() -> None:
    assert redact("login pw=hunter22 ok", ["hunter22"]) == "login pw=*** ok"
