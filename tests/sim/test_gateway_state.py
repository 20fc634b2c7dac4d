"""The gateway's own condition (runner/sim/world/gateway_state.py): pure, times given."""

from __future__ import annotations

import pytest

from runner.sim.world.gateway_state import GatewayBusy, GatewayState


def test_a_daily_restart_is_down_for_its_window_then_returns() -> None:
    state = GatewayState()
    assert state.accepting and state.phase(0.0) == "up"
    state.begin_restart(100.0, 30.0, relogin=False)
    assert not state.accepting
    assert state.phase(129.9) == "restarting" and not state.may_return(129.9)
    assert state.phase(130.0) == "returning" and state.may_return(130.0)
    state.returned(130.05)
    assert state.accepting and state.back_at == 130.05 and state.restarts == 1
    assert state.report(131.0)["phase"] == "up"


def test_a_relogin_keeps_it_down_until_the_login_is_completed() -> None:
    state = GatewayState()
    state.begin_restart(0.0, 10.0, relogin=True)
    assert state.phase(5.0) == "restarting"
    assert state.phase(1e9) == "login_required" and not state.may_return(1e9)
    state.complete_login()
    assert state.may_return(1e9) and state.logins == 1
    with pytest.raises(GatewayBusy, match="no login is pending"):
        state.complete_login()


def test_a_login_completed_early_waits_for_the_restart_window() -> None:
    state = GatewayState()
    state.begin_restart(0.0, 10.0, relogin=True)
    state.complete_login()
    assert not state.may_return(9.0) and state.may_return(10.0)


def test_one_restart_at_a_time_and_no_negative_window() -> None:
    state = GatewayState()
    with pytest.raises(GatewayBusy, match="cannot last"):
        state.begin_restart(0.0, -1.0, relogin=False)
    state.begin_restart(0.0, 10.0, relogin=False)
    with pytest.raises(GatewayBusy, match="already down"):
        state.begin_restart(1.0, 10.0, relogin=False)
    assert state.restarts == 1
