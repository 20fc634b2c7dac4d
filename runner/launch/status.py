"""Live status while running (a rich table on a TTY, one-line summaries otherwise) and the
end-of-run summary (plain text: rich is imported only for the live TTY view)."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from runner.launch.stats import InstrumentStats
from runner.launch.summary import RunSummary

LINE_INTERVAL = 10.0
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
            self._live.update(_status_view(snapshot))
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self._last_line >= LINE_INTERVAL:
                self._last_line = now
                print(_status_line(snapshot), file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _status_view(s: RunSummary) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    header = Text(
        f"{s.trader_id} | {s.gateway} | running {s.running_seconds:.0f}s | "
        f"{len(s.instruments)} instruments | Ctrl-C to stop",
        style="bold",
    )
    table = Table(expand=False)
    for i, name in enumerate(COLUMNS):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in table_rows(s.stats):
        table.add_row(*row)
    parts: list[Any] = [header, table]
    if s.has_exec:
        parts.append(Text(_orders_text(s)))
        parts.extend(Text(f"position {_position_text(p)}") for p in s.positions)
    return Group(*parts)


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
    return f"orders: {s.orders}" + (f" ({statuses})" if statuses else "") + f"; fills: {s.fills}"


def _position_text(p: Any) -> str:
    return f"{p.instrument} {p.side} {p.quantity} @ {p.avg_px} realized {p.realized} unrealized {p.unrealized}"


def summary_lines(s: RunSummary) -> list[str]:
    if s.dry_run:
        return [
            f"ibrun dry run: {s.trader_id} would connect via {s.gateway}",
            "  node built (not started, nothing connected)",
            f"  strategies: {', '.join(s.strategies) or 'none'}",
            f"  actors: {', '.join(s.actors) or 'none'}",
            f"  exec client: {'yes' if s.has_exec else 'no'}",
            *(f"  {note}" for note in s.notes),
        ]
    t = s.totals()
    startup = f", RUNNING after {s.startup_seconds:.2f}s" if s.startup_seconds is not None else ""
    loaded = f" ({', '.join(s.instruments)})" if s.instruments else ""
    lines = [
        f"ibrun summary: {s.trader_id} via {s.gateway}",
        f"  stopped: {s.stop_reason} (ran {s.running_seconds:.1f}s{startup})",
        f"  instruments loaded: {len(s.instruments)}{loaded}",
    ]
    if s.stats:
        lines.extend(plain_table(s.stats))
    lines.append(f"  received: quotes={t.quotes} trades={t.trades} bars={t.bars} book={t.book}")
    if s.has_exec:
        lines.append(f"  {_orders_text(s)}")
        lines.extend(f"  position: {_position_text(p)}" for p in s.positions)
        if not s.positions:
            lines.append("  positions: none")
        lines.append(
            f"  PnL: realized {', '.join(s.realized_pnl) or '0'}; unrealized {', '.join(s.unrealized_pnl) or '0'}"
        )
    return lines


def print_summary(s: RunSummary, stream: IO[str] | None = None) -> None:
    """The end-of-run summary, on stdout."""
    print("\n".join(summary_lines(s)), file=stream or sys.stdout, flush=True)
