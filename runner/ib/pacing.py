"""IB's pacing rules in one place: historical-data limits (TWS API docs, "Historical Data
Limitations"; what the simulator enforces with error 162 and downloads plan within) and the
message rate every client connection must stay under (what instrument loads pace to)."""

from __future__ import annotations

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
