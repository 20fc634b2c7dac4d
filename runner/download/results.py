"""What a download did: per series and in total (filled by the engine, shown by the report)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner.download.planner import Series


@dataclass
class SeriesResult:
    series: Series
    chunks: int
    done_chunks: int = 0
    new_rows: int = 0
    total_rows: int = 0
    first: int | None = None
    last: int | None = None
    unavailable: str | None = None
    """Why IB served nothing for this series (it is skipped, not recorded as done)."""

    @property
    def name(self) -> str:
        return f"{self.series.instrument_id} {self.series.label}"


@dataclass
class DownloadResult:
    catalog: Path
    instruments: list[str]
    new_instruments: int
    series: list[SeriesResult]
    requests: int = 0
    retries: int = 0
    pacing_wait_s: float = 0.0
    elapsed_s: float = 0.0
    interrupted: bool = False

    @property
    def rows_written(self) -> int:
        return sum(s.new_rows for s in self.series)
