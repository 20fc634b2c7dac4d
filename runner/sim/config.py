"""Configuration of the simulated IB Gateway (immutable; shared by the CLI, launcher and server)."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.ib.pacing import PacingRules

# Text-encoded protocol ends at 200: from 201 on IB switches message ids to raw ints and
# payloads to protobuf. 157 is the oldest layout the encoders know about (ib_async-style
# clients advertise v157..178).
PROTOCOL_MIN_VERSION = 157
PROTOCOL_MAX_VERSION = 200


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
    log_level: str = "WARNING"
