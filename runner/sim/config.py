"""Configuration of the simulated IB Gateway (immutable; shared by the CLI, launcher and server)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Literal

from runner.ib.pacing import PacingRules
from runner.sim.protocol.messages import NEWEST_TEXT_LAYOUT, OLDEST_LAYOUT

# Text-encoded protocol ends at 200: from 201 on IB switches message ids to raw ints and
# payloads to protobuf. 157 is the oldest layout the encoders know about.
PROTOCOL_MIN_VERSION = int(OLDEST_LAYOUT)
PROTOCOL_MAX_VERSION = int(NEWEST_TEXT_LAYOUT)


@dataclass(frozen=True)
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 4002
    seed: int = 42
    universe_files: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ("DU123456",)
    read_only_api: bool = False
    # With live market-data permissions IB serves live ticks even when delayed data (3/4) is
    # requested, and says so in marketDataType; without them, delayed tick types (66...).
    live_data_permissions: bool = True
    tick_interval_ms: int = 250
    control_port: int | None = None
    pacing: PacingRules | None = field(default_factory=PacingRules)
    """Historical-data pacing enforced with error 162; None: no pacing."""
    server_version_max: int = PROTOCOL_MAX_VERSION
    server_version_min: int = PROTOCOL_MIN_VERSION
    initial_cash: float = 1_000_000.0
    base_currency: str = "USD"
    # Large replies (chains, history) are written in batches with a pause in between:
    # nautilus' client degrades badly on big unread backlogs.
    reply_batch_size: int = 200
    reply_batch_pause_ms: float = 5.0
    # Auction orders (MOC/LOC/OPG/CLS) are filled at the next simulated auction.
    auction_interval_s: float = 30.0
    market_hours: Literal["exchange", "always_open"] = "exchange"
    """"exchange": calendars and trading hours as IB's; "always_open": every market trades
    around the clock (the demo and tests, which run at any hour)."""
    replay_file: str | None = None
    """Serve clients from a recording (`ibrun record`) instead of the simulated world."""
    replay_speed: float = 1.0
    """Replayed streams at the recorded pace divided by this (0: as fast as possible)."""
    # What a connection may cost before it is a client (runner/sim/limits.py): open API sockets,
    # the largest frame before startApi, and how long a connection may take to send startApi.
    max_connections: int = 64
    handshake_max_bytes: int = 4096
    handshake_timeout_s: float = 10.0
    log_level: str = "WARNING"

    def to_json(self) -> str:
        """How the launcher hands the config to its child (`--config-json`)."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SimConfig:
        data = json.loads(text)
        pacing = data.get("pacing", {})
        data["pacing"] = None if pacing is None else PacingRules(**pacing)
        for key in ("universe_files", "accounts"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)
