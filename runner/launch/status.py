"""Live status while running (a rich table on a TTY, one-line summaries otherwise) and the
end-of-run summary (plain text: rich is imported only for the live TTY view)."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from runner.launch.summary import RunSummary
from runner.monitoring.stats import InstrumentStats

LINE_INTERVAL = 10.0
MAX_LIVE_ROWS = 20
MAX_SUMMARY_ROWS = 30
MAX_LISTED = 10
COLUMNS = ("instrument", "quotes", "trades", "bars", "book", "bid", "ask", "last")


def table_rows(stats: dict[str, InstrumentStats]) -> list[tuple[str, ...]]:
    return [
        (key, str(s.quotes), str(s.trades), str(s.bars), str(s.book), s.bid or "-", s.ask or "-", s.last or "-")
        for key, s in sorted(stats.items())
    ]


def plain_table(stats: dict[str, InstrumentStats], indent: str = "    ") -> list[str]:
    rows = [COLUMNS, *table_rows(stats)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return [
        indent
        + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


class StatusDisplay:
    """Refreshes the live view; ``mode`` is `live` (TTY), `lines` (periodic) or `off`."""

    def __init__(self, mode: str, stream: IO[str] | None = None) -> None:
        self.mode = mode
        self._stream = stream or sys.stdout
        self._live: Any = None
        self._last_line = 0.0

    def start(self) -> None:
        if self.mode == "live":
            from rich.console import Console
            from rich.live import Live
            from rich.text import Text

            console = Console(file=self._stream)
            self._live = Live(Text("starting..."), console=console, refresh_per_second=2, transient=True)
            self._live.start()

    def update(self, snapshot: RunSummary) -> None:
        if self._live is not None:
            self._live.update(_status_view(snapshot, self._live.console.width))
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self._last_line >= LINE_INTERVAL:
                self._last_line = now
                print(_status_line(snapshot), file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _status_view(s: RunSummary, width: int = 80) -> Any:
    """The live view within ``width`` columns (see `fit_table`)."""
    from rich.console import Group
    from rich.text import Text

    header = f"{s.trader_id} | running {s.running_seconds:.0f}s | {len(s.instruments)} instruments | Ctrl-C to stop"
    lines = [_clip(header, width), *fit_table(s.stats, width)]
    if s.has_exec:
        lines.append(_clip(_orders_text(s), width))
        lines.extend(_clip(f"position {_position_text(p)}", width) for p in s.positions[:MAX_LIVE_ROWS])
    return Group(Text(lines[0], style="bold"), *(Text(line) for line in lines[1:]))


def fit_table(stats: dict[str, InstrumentStats], width: int = 80) -> list[str]:
    """The instrument table in at most ``width`` columns: count columns that are all zero are
    left out, large counts shortened (123k), and only the instrument name is cut, never a price."""
    rows = table_rows(stats)
    shown = [i for i in range(len(COLUMNS)) if i == 0 or i > 4 or any(row[i] != "0" for row in rows)]
    table = [[COLUMNS[i] for i in shown], *([_cell(i, row[i]) for i in shown] for row in rows[:MAX_LIVE_ROWS])]
    widths = [max(len(row[c]) for row in table) for c in range(len(shown))]
    spare = width - (sum(widths) + 2 * (len(widths) - 1))
    if spare < 0:
        widths[0] = max(8, widths[0] + spare)
    lines = []
    for row in table:
        name = row[0] if len(row[0]) <= widths[0] else row[0][: widths[0] - 1] + "…"
        cells = [name.ljust(widths[0]), *(cell.rjust(widths[c]) for c, cell in enumerate(row) if c > 0)]
        lines.append("  ".join(cells).rstrip())
    if len(rows) > MAX_LIVE_ROWS:
        lines.append(f"... and {len(rows) - MAX_LIVE_ROWS} more instruments")
    return lines


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(index: int, value: str) -> str:
    if 1 <= index <= 4 and value.isdigit() and int(value) >= 100_000:
        return f"{int(value) / 1000:.0f}k" if int(value) < 10_000_000 else f"{int(value) / 1e6:.1f}M"
    return value


def _status_line(s: RunSummary) -> str:
    t = s.totals()
    line = (
        f"ibrun: {s.running_seconds:.0f}s instruments={len(s.instruments)} quotes={t.quotes} "
        f"trades={t.trades} bars={t.bars} book={t.book}"
    )
    if s.has_exec:
        line += f" orders={s.orders} fills={s.fills}"
    return line


def _orders_text(s: RunSummary) -> str:
    statuses = ", ".join(f"{name} {count}" for name, count in s.orders_by_status.items())
    this_run = " this run" if s.recovered_orders.count or s.external_orders.count else ""
    return f"orders{this_run}: {s.orders}" + (f" ({statuses})" if statuses else "") + f"; fills: {s.fills}"


def _earlier_orders_lines(s: RunSummary) -> list[str]:
    """Orders the run did not place: from the cache database, or found by reconciliation."""
    lines = []
    for group, what in (
        (s.recovered_orders, "recovered from the cache database"),
        (s.external_orders, "external (reconciliation: found at IB or generated to match IB's positions)"),
    ):
        if group.count:
            statuses = ", ".join(f"{name} {count}" for name, count in group.by_status.items())
            fills = f"; {group.fills} fill{'s' if group.fills != 1 else ''} this run" if group.fills else ""
            lines.append(f"  orders {what}: {group.count} ({statuses}{fills}): {listed(group.ids)}")
    return lines


def _position_text(p: Any) -> str:
    origin = f" [{p.origin}]" if getattr(p, "origin", "") else ""
    return f"{p.instrument} {p.side} {p.quantity} @ {p.avg_px} realized {p.realized} unrealized {p.unrealized}{origin}"


def listed(names: list[str], limit: int = MAX_LISTED) -> str:
    """`a, b, c` — or the first ``limit`` and `... and N more` (an options chain has thousands)."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... and {len(names) - limit} more"


def summary_lines(s: RunSummary) -> list[str]:
    if s.dry_run:
        return [
            f"ibrun dry run: {s.trader_id} would connect via {s.gateway}",
            "  node built (not started, nothing connected)",
            f"  strategies: {listed(s.strategies) or 'none'}",
            f"  actors: {listed(s.actors) or 'none'}",
            f"  exec client: {'yes' if s.has_exec else 'no'}",
            *(f"  {note}" for note in s.notes),
        ]
    t = s.totals()
    startup = f", RUNNING after {s.startup_seconds:.2f}s" if s.startup_seconds is not None else ""
    loaded = f" ({listed(s.instruments)})" if s.instruments else ""
    lines = [
        f"ibrun summary: {s.trader_id} via {s.gateway}",
        f"  stopped: {s.stop_reason} (ran {s.running_seconds:.1f}s{startup})",
        f"  instruments loaded: {len(s.instruments)}{loaded}",
    ]
    if s.stats:
        kept = dict(list(s.stats.items())[:MAX_SUMMARY_ROWS])
        lines.extend(plain_table(kept))
        if len(s.stats) > MAX_SUMMARY_ROWS:
            lines.append(f"    ... and {len(s.stats) - MAX_SUMMARY_ROWS} more instruments")
    lines.append(f"  received: quotes={t.quotes} trades={t.trades} bars={t.bars} book={t.book}")
    if s.has_exec:
        lines.append(f"  {_orders_text(s)}")
        lines.extend(_earlier_orders_lines(s))
        lines.extend(f"  position: {_position_text(p)}" for p in s.positions[:MAX_SUMMARY_ROWS])
        if len(s.positions) > MAX_SUMMARY_ROWS:
            lines.append(f"  ... and {len(s.positions) - MAX_SUMMARY_ROWS} more positions")
        if not s.positions:
            lines.append("  positions: none")
        lines.append(
            f"  PnL: realized {', '.join(s.realized_pnl) or '0'}; unrealized {', '.join(s.unrealized_pnl) or '0'}"
        )
    return lines


def print_summary(s: RunSummary, stream: IO[str] | None = None) -> None:
    """The end-of-run summary, on stdout."""
    print("\n".join(summary_lines(s)), file=stream or sys.stdout, flush=True)
