"""A simulator per test module (real TCP, its own process) with its control port."""

from __future__ import annotations

import pytest

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator


@pytest.fixture(scope="module")
def sim():
    process = start_simulator(free_port_config(SimConfig(tick_interval_ms=250)), startup_timeout=30)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def control(sim):
    with SimControl(sim.control_port) as client:
        yield client


@pytest.fixture(autouse=True)
def _sim_answers_promptly(request):
    """Every test starts with no reply delay, whatever the previous one set."""
    yield
    if "control" in request.fixturenames:
        request.getfixturevalue("control").call("delay", ms=0)


@pytest.fixture(autouse=True)
def _own_cache_home(tmp_path_factory, monkeypatch):
    """Each test its own $XDG_CACHE_HOME (inherited by the `ibrun` processes it starts): tests
    load the same instruments through the same login, so they would share cache files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
