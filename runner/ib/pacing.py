"""IB's pacing rules in one place: historical-data limits (TWS API docs, "Historical Data
Limitations"; what the simulator enforces with error 162 and downloads plan within; the spec's
`download.pacing` and `gateway.simulated.pacing` convert to :class:`PacingRules`, same names) and
the message rate every client connection must stay under (what instrument loads pace to)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

MAX_REQUESTS = 60
"""At most this many historical requests ..."""
WINDOW_SECONDS = 600.0
"""... within ten minutes."""
IDENTICAL_COOLDOWN_SECONDS = 15.0
"""No identical request within 15 s."""
PER_CONTRACT_MAX = 6
"""At most six requests for one contract ..."""
PER_CONTRACT_WINDOW_SECONDS = 2.0
"""... within two seconds."""

MESSAGES_PER_SECOND = 50
"""Client → gateway messages per second, all kinds together (TWS API docs, "Order Limitations");
TWS/IB Gateway closes a connection that keeps exceeding it."""


@dataclass(frozen=True, slots=True)
class PacingRules:
    """One set of historical-data pacing limits (IB's by default)."""

    max_requests: int = MAX_REQUESTS
    """At most this many requests ..."""
    window_seconds: float = WINDOW_SECONDS
    """... within this many seconds."""
    identical_cooldown_seconds: float = IDENTICAL_COOLDOWN_SECONDS
    """No identical request within this many seconds."""
    per_contract_max: int = PER_CONTRACT_MAX
    """At most this many requests for one contract ..."""
    per_contract_window_seconds: float = PER_CONTRACT_WINDOW_SECONDS
    """... within this many seconds."""

    def scaled(self, factor: float) -> PacingRules:
        """The same counts with every time window multiplied by `factor` (e.g. 0.01 in tests)."""
        return dataclasses.replace(
            self,
            window_seconds=self.window_seconds * factor,
            identical_cooldown_seconds=self.identical_cooldown_seconds * factor,
            per_contract_window_seconds=self.per_contract_window_seconds * factor,
        )
