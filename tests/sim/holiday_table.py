"""The exchange holidays the simulator ships (`runner/sim/world/holidays.json`), computed with the
`holidays` library (a dev dependency: the simulator reads the table, never the library, which
would add ~20 MiB and 0.13 s to it). `uv run python tests/sim/holiday_table.py` rewrites the table;
`test_sessions.py` fails when it differs from what the library says."""

from __future__ import annotations

import json
from pathlib import Path

import holidays

import runner.sim.world

TABLE = Path(runner.sim.world.__file__).parent / "holidays.json"
YEARS = range(2000, 2041)
CALENDARS = {"NYSE": "NYSE", "CME": "CME"}
"""Our calendar name → the `holidays` library's financial market code."""


def computed() -> dict[str, object]:
    table: dict[str, object] = {"source": f"holidays {holidays.__version__}", "years": [YEARS[0], YEARS[-1]]}
    for name, market in CALENDARS.items():
        days = holidays.financial_holidays(market, years=YEARS)
        table[name] = sorted(day.strftime("%Y%m%d") for day in days)
    return table


def same_days(a: dict[str, object], b: dict[str, object]) -> bool:
    return all(a.get(name) == b.get(name) for name in CALENDARS) and a.get("years") == b.get("years")


if __name__ == "__main__":
    TABLE.write_text(json.dumps(computed(), indent=0) + "\n")
    print(f"wrote {TABLE}")
