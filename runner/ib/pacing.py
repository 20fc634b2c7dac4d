"""IB's historical-data pacing rules (TWS API docs, "Historical Data Limitations"), in one place:
the defaults of what the simulator enforces with error 162 and of what downloads plan within."""

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
