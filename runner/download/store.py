"""The catalog side: what a ParquetDataCatalog already holds, and atomic per-chunk writes.

Every completed chunk becomes exactly one parquet file named by the chunk's `ts_init` window
(ParquetDataCatalog's own `<start>_<end>.parquet` convention). The file is written by a scratch
catalog under `<catalog>/.ibrun/tmp/` and renamed into place, so an interrupted run leaves
either the whole file or nothing. Chunks IB answered with no rows (weekends, holidays) are
recorded in `<catalog>/.ibrun/empty.json` (also replaced atomically) so that they are not asked
again. Coverage = file names plus that ledger.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from nautilus_trader.model.data import Bar, QuoteTick, TradeTick
from nautilus_trader.model.instruments import Instrument
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from runner.download.planner import Chunk, Series

DATA_CLASSES = {"Bar": Bar, "TradeTick": TradeTick, "QuoteTick": QuoteTick}
STATE_DIR = ".ibrun"


@dataclass
class SeriesTotals:
    rows: int = 0
    first: int | None = None
    last: int | None = None


class CatalogStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self.catalog = ParquetDataCatalog(str(self.path))
        self._state = self.path / STATE_DIR
        self._ledger_file = self._state / "empty.json"
        self._empty: dict[str, list[list[int]]] = self._read_ledger()
        shutil.rmtree(self._state / "tmp", ignore_errors=True)  # leftovers of a killed run

    # -- coverage -------------------------------------------------------------------------

    def covered(self, series: Series) -> list[tuple[int, int]]:
        """Closed `ts_init` intervals already done for `series` (files and empty chunks)."""
        files = self.catalog.get_intervals(DATA_CLASSES[series.data_cls], series.identifier)
        empty = [(lo, hi) for lo, hi in self._empty.get(self._key(series), [])]
        return sorted([*files, *empty])

    def has_instrument(self, instrument: Instrument) -> bool:
        return bool(self.catalog.get_intervals(type(instrument), instrument.id.value))

    # -- writing --------------------------------------------------------------------------

    def write_chunk(self, chunk: Chunk, rows: list) -> None:
        """Write one chunk's rows atomically (or record it as empty)."""
        lo, hi = chunk.ts_init_range
        if not rows:
            self._empty.setdefault(self._key(chunk.series), []).append([lo, hi])
            self._write_ledger()
            return
        rows = sorted(rows, key=lambda row: row.ts_init)
        self._write_atomically(rows, start=lo, end=hi)

    def write_instruments(self, instruments: list[Instrument]) -> int:
        """Write the instruments the catalog does not hold yet; returns how many were new."""
        new = [inst for inst in instruments if not self.has_instrument(inst)]
        for inst in new:
            self._write_atomically([inst])
        return len(new)

    def _write_atomically(self, rows: list, start: int | None = None, end: int | None = None) -> None:
        scratch = self._state / "tmp" / uuid.uuid4().hex
        try:
            ParquetDataCatalog(str(scratch)).write_data(rows, start=start, end=end)
            for file in sorted(scratch.rglob("*.parquet")):
                target = self.path / file.relative_to(scratch)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- reading back ---------------------------------------------------------------------

    def totals(self, series: Series) -> SeriesTotals:
        """Rows and first/last `ts_event` of a series (the catalog's event time: a bar's open), from
        parquet metadata (no data read)."""
        directory = Path(self.catalog._make_path(DATA_CLASSES[series.data_cls], series.identifier))
        totals = SeriesTotals()
        for file in sorted(directory.glob("*.parquet")):
            meta = pq.ParquetFile(file).metadata
            totals.rows += meta.num_rows
            for lo, hi in _column_stats(meta, "ts_event"):
                totals.first = lo if totals.first is None else min(totals.first, lo)
                totals.last = hi if totals.last is None else max(totals.last, hi)
        return totals

    # -- ledger ---------------------------------------------------------------------------

    @staticmethod
    def _key(series: Series) -> str:
        return f"{series.data_cls}/{series.identifier}"

    def _read_ledger(self) -> dict[str, list[list[int]]]:
        try:
            return json.loads(self._ledger_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _write_ledger(self) -> None:
        self._state.mkdir(parents=True, exist_ok=True)
        tmp = self._ledger_file.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(self._empty, sort_keys=True))
        os.replace(tmp, self._ledger_file)


def _column_stats(meta: pq.FileMetaData, column_name: str) -> list[tuple[int, int]]:
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if column_name not in names:
        return []
    index = names.index(column_name)
    stats = []
    for group in range(meta.num_row_groups):
        column = meta.row_group(group).column(index).statistics
        if column is not None and column.has_min_max:
            stats.append((int(column.min), int(column.max)))
    return stats
