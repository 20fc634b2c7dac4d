"""Simulator settings shared by the sim tests (importable: conftest modules are not)."""

from __future__ import annotations

from runner.ib.pacing import PacingRules
from runner.sim.config import SimConfig
from runner.sim.launcher import free_port_config

# Small pacing windows keep the 162 checks fast; the per-module tests rely on these numbers.
TEST_PACING = PacingRules(
    max_requests=40,
    window_seconds=600.0,
    identical_cooldown_seconds=2.0,
    per_contract_max=6,
    per_contract_window_seconds=1.0,
)


def sim_config(**changes) -> SimConfig:
    """Markets always open: these tests stream and trade at any hour of any day (the hours tests
    build their own exchange-hours simulators)."""
    base = SimConfig(tick_interval_ms=100, pacing=TEST_PACING, auction_interval_s=3600.0, market_hours="always_open")
    return free_port_config(base, **changes)
