"""One simulator per test module, on free ports, as a real child process."""

from __future__ import annotations

import dataclasses

import pytest
from sim_settings import TEST_PACING, sim_config  # noqa: F401 (TEST_PACING re-exported for tests)

from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import start_simulator


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
