"""One simulator per test module, on free ports, as a real child process."""

from __future__ import annotations

import dataclasses

import pytest

from runner.sim.config import PacingLimits, SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator

# Small pacing windows keep the 162 checks fast; the per-module tests rely on these numbers.
TEST_PACING = PacingLimits(
    max_requests=40, window_s=600.0, identical_within_s=2.0, same_contract_max=6, same_contract_window_s=1.0
)


def sim_config(**changes) -> SimConfig:
    return free_port_config(SimConfig(tick_interval_ms=100, pacing=TEST_PACING, auction_interval_s=3600.0), **changes)


@pytest.fixture(scope="module")
def sim():
    process = start_simulator(sim_config(), startup_timeout=20)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def control(sim):
    with SimControl(sim.control_port) as client:
        yield client


def replace_config(config: SimConfig, **changes) -> SimConfig:
    return dataclasses.replace(config, **changes)
