"""`download.pacing` and `gateway.simulated.pacing` — one model for IB's historical-data pacing."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from runner.ib import pacing as ib_pacing
from runner.model.base import Constraints, Frozen, Seconds, SecondsOrZero, section


@section
class Pacing(Frozen):
    """Historical-data pacing limits (IB's rules by default): what downloads schedule their requests
    within (error 162 still triggers a backoff and retry), and what the simulator enforces with
    IB error 162."""

    max_requests: Annotated[int, Constraints(ge=1)] = ib_pacing.MAX_REQUESTS
    """At most this many requests ..."""
    window_seconds: Seconds = ib_pacing.WINDOW_SECONDS
    """... within this many seconds."""
    identical_cooldown_seconds: SecondsOrZero = ib_pacing.IDENTICAL_COOLDOWN_SECONDS
    """No identical request within this many seconds."""
    per_contract_max: Annotated[int, Constraints(ge=1)] = ib_pacing.PER_CONTRACT_MAX
    """At most this many requests for one contract ..."""
    per_contract_window_seconds: Seconds = ib_pacing.PER_CONTRACT_WINDOW_SECONDS
    """... within this many seconds."""

    def rules(self) -> ib_pacing.PacingRules:
        """The same limits as IB's pacing facts use them (the simulator and the download pacer)."""
        return ib_pacing.PacingRules(**asdict(self))
