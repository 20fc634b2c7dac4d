"""Progress while downloading (rich bars on a TTY, one line per series otherwise) and the
closing table of what the catalog holds."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from runner.download.results import DownloadResult, SeriesResult
from runner.ib.times import fmt_ns


class Progress:
    """Per-series progress; `rich` bars only when `console` is a terminal."""

    def __init__(self, console: Console | None = None, quiet: bool = False) -> None:
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self._bars: Any = None
        self._tasks: dict[int, Any] = {}

    @property
    def live(self) -> bool:
        return self.console.is_terminal and not self.quiet

    def start(self, series: list[SeriesResult]) -> None:
        if not self.live:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self._bars = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        for entry in series:
            self._tasks[id(entry)] = self._bars.add_task(
                entry.name,
                total=max(entry.chunks, 1),
                rows=0,
                completed=0 if entry.chunks else 1,
            )
        self._bars.start()

    def series_started(self, entry: SeriesResult) -> None:
        pass

    def chunk_done(self, entry: SeriesResult) -> None:
        if self._bars is not None:
            self._bars.update(self._tasks[id(entry)], completed=entry.done_chunks, rows=entry.new_rows)

    def series_done(self, entry: SeriesResult) -> None:
        if entry.unavailable and not self.quiet:
            self.console.print(f"ibrun: {entry.name}: skipped: {entry.unavailable}", highlight=False)
        elif self._bars is None and not self.quiet and entry.chunks:
            self.console.print(
                f"ibrun: {entry.name}: {entry.done_chunks} chunk(s), {entry.new_rows} rows",
                highlight=False,
            )

    def stop(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None


TIME_COLUMNS = ("first ts_event (UTC)", "last ts_event (UTC)")
"""The catalog's own event times: a bar's open (IB's bar time), a tick's time."""


def summary_table(result: DownloadResult) -> Table:
    table = Table(
        title=f"catalog {result.catalog}",
        title_justify="left",
        caption="times: the catalog's ts_event in UTC (bars: the bar's open)",
        caption_justify="left",
    )
    for column in ("instrument", "data", "new rows", "rows", *TIME_COLUMNS):
        table.add_column(column, justify="right" if "rows" in column else "left")
    for entry in result.series:
        table.add_row(
            entry.series.instrument_id,
            f"{entry.series.data_cls} {entry.series.label}",
            "unavailable" if entry.unavailable else str(entry.new_rows),
            str(entry.total_rows),
            fmt_ns(entry.first),
            fmt_ns(entry.last),
        )
    return table


def print_summary(result: DownloadResult, console: Console | None = None) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=120)
    if result.series:
        console.print(summary_table(result))
    waited = f"{result.pacing_wait_s:.1f} s waiting on pacing" if result.requests else ""
    console.print(
        f"{len(result.instruments)} instrument(s) ({result.new_instruments} new),"
        f" {result.rows_written} rows written in {result.elapsed_s:.1f} s;"
        f" {result.requests} request(s), {result.retries} retried" + (f", {waited}" if waited else ""),
        highlight=False,
    )
