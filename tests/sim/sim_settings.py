"""Simulator settings shared by the sim tests (importable: conftest modules are not)."""

from __future__ import annotations

from runner.sim.config import PacingLimits, SimConfig
from runner.sim.launcher import free_port_config

# Small pacing windows keep the 162 checks fast; the per-module tests rely on these numbers.
TEST_PACING = PacingLimits(
    max_requests=40, window_s=600.0, identical_within_s=2.0, same_contract_max=6, same_contract_window_s=1.0
)


def sim_config(**changes) -> SimConfig:
    return free_port_config(SimConfig(tick_interval_ms=100, pacing=TEST_PACING, auction_interval_s=3600.0), **changes)
