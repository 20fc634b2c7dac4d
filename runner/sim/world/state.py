"""The simulated world as one object: instruments, prices, the broker, historical pacing and the
gateway's own condition (up, restarting, waiting for a login)."""

from __future__ import annotations

from dataclasses import dataclass

from runner.ib.pacing import PacingRules
from runner.sim.world.broker import Broker
from runner.sim.world.events import OrderListener
from runner.sim.world.gateway_state import GatewayState
from runner.sim.world.market import Market
from runner.sim.world.pacing import PacingGuard
from runner.sim.world.sessions import MarketHours
from runner.sim.world.universe import build_universe


@dataclass(frozen=True)
class WorldSettings:
    seed: int
    tick_interval_s: float
    universe_files: tuple[str, ...]
    accounts: tuple[str, ...]
    initial_cash: float
    base_currency: str
    pacing: PacingRules | None
    always_open: bool = False
    """Every market trades around the clock (sessions.py); False: exchange calendars and hours."""


class World:
    """`listener` hears every order event (the server encodes them for the sessions)."""

    def __init__(self, settings: WorldSettings, listener: OrderListener) -> None:
        self.universe = build_universe(settings.universe_files)
        self.hours = MarketHours(settings.always_open)
        self.market = Market(settings.seed, settings.tick_interval_s, self.universe)
        self.broker = Broker(
            self.market, self.hours, settings.accounts, settings.initial_cash, settings.base_currency, listener
        )
        self.pacing = PacingGuard(settings.pacing)
        self.gateway = GatewayState()
