"""Live status while running (a rich table on a TTY, one-line summaries otherwise) and the
end-of-run summary."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from runner.launch.stats import InstrumentStats
from runner.launch.summary import RunSummary

LINE_INTERVAL = 10.0


def instrument_table(stats: dict[str, InstrumentStats], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("instrument", no_wrap=True)
    for name in ("quotes", "trades", "bars", "book"):
        table.add_column(name, justify="right")
    table.add_column("bid", justify="right")
    table.add_column("ask", justify="right")
    table.add_column("last", justify="right")
    for key, row in sorted(stats.items()):
        table.add_row(
            key,
            str(row.quotes),
            str(row.trades),
            str(row.bars),
            str(row.book),
            row.bid or "-",
            row.ask or "-",
            row.last or "-",
        )
    return table


class StatusDisplay:
    """Refreshes the live view; ``mode`` is `live` (TTY), `lines` (periodic) or `off`."""

    def __init__(self, mode: str, stream: IO[str] | None = None) -> None:
        self.mode = mode
        self._stream = stream or sys.stdout
        self._live: Live | None = None
        self._last_line = 0.0

    def start(self) -> None:
        if self.mode == "live":
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


def _status_view(s: RunSummary) -> Group:
    header = Text(
        f"{s.trader_id} | {s.gateway} | running {s.running_seconds:.0f}s | "
        f"{len(s.instruments)} instruments | Ctrl-C to stop",
        style="bold",
    )
    parts: list[Any] = [header, instrument_table(s.stats)]
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


def print_summary(s: RunSummary, stream: IO[str] | None = None) -> None:
    """The end-of-run summary, on stdout."""
    stream = stream or sys.stdout
    width = None if stream.isatty() else 160  # a pipe/log file: no truncated columns
    console = Console(file=stream, highlight=False, soft_wrap=True, width=width)
    if s.dry_run:
        _print_dry_run(console, s)
        return
    t = s.totals()
    startup = f", RUNNING after {s.startup_seconds:.2f}s" if s.startup_seconds is not None else ""
    console.print(f"ibrun summary: {s.trader_id} via {s.gateway}")
    console.print(f"  stopped: {s.stop_reason} (ran {s.running_seconds:.1f}s{startup})")
    console.print(
        f"  instruments loaded: {len(s.instruments)}" + (f" ({', '.join(s.instruments)})" if s.instruments else "")
    )
    if s.stats:
        console.print(instrument_table(s.stats))
    console.print(f"  received: quotes={t.quotes} trades={t.trades} bars={t.bars} book={t.book}")
    if s.has_exec:
        console.print(f"  {_orders_text(s)}")
        if not s.positions:
            console.print("  positions: none")
        for position in s.positions:
            console.print(f"  position: {_position_text(position)}")
        console.print(
            f"  PnL: realized {', '.join(s.realized_pnl) or '0'}; unrealized {', '.join(s.unrealized_pnl) or '0'}"
        )


def _print_dry_run(console: Console, s: RunSummary) -> None:
    console.print(f"ibrun dry run: {s.trader_id} would connect via {s.gateway}")
    console.print("  node built (not started, nothing connected)")
    console.print(f"  strategies: {', '.join(s.strategies) or 'none'}")
    console.print(f"  actors: {', '.join(s.actors) or 'none'}")
    console.print(f"  exec client: {'yes' if s.has_exec else 'no'}")
    for note in s.notes:
        console.print(f"  {note}")
