"""Fetch one chunk from IB: paced requests, retries on error 162, rows filtered to the chunk.

A chunk's rows are exactly those whose `ts_init` lies in its window, so neighbouring chunks
(and a resumed run) never duplicate or drop a row even though IB requests are padded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from runner.download.ib import TICKS_PER_PAGE, IbRequestError, IbSession, Resolved
from runner.download.pacer import Pacer
from runner.download.planner import Chunk
from runner.errors import DownloadFailed, InstrumentNotFound
from runner.ib.times import NS, fmt_ns


class SeriesUnavailable(Exception):
    """IB serves no such history for this series (e.g. LAST bars of a forex pair)."""


@dataclass
class FetchSettings:
    use_rth: bool
    timeout: float
    max_retries: int
    now_ns: int


@dataclass
class Fetcher:
    session: IbSession
    pacer: Pacer
    settings: FetchSettings
    retries: int = 0
    """Requests repeated after a pacing violation or a timeout."""

    async def chunk(self, chunk: Chunk, target: Resolved) -> list:
        if chunk.series.bar is not None:
            rows = await self._bars(chunk, target)
        else:
            rows = await self._ticks(chunk, target)
        lo, hi = chunk.ts_init_range
        return [row for row in rows if lo <= row.ts_init <= hi]

    async def _bars(self, chunk: Chunk, target: Resolved) -> list:
        end, duration = chunk.request_window(self.settings.now_ns)
        series = chunk.series
        key = (series.identifier, end, duration)
        return await self._paced(
            chunk,
            key,
            lambda: self.session.bars(
                series,
                target.contract,
                end,
                duration,
                self.settings.use_rth,
                self.settings.timeout,
            ),
        )

    async def _ticks(self, chunk: Chunk, target: Resolved) -> list:
        """Page backwards from the chunk's end; IB pages hold whole seconds of ticks."""
        rows: list = []
        upper = chunk.end - 1  # inclusive ts_init bound still to fill
        end = upper - upper % NS
        while True:
            page = await self._tick_page(chunk, target, end)
            if not page:
                return rows
            first = min(tick.ts_init for tick in page)
            inside = [tick for tick in page if chunk.start <= tick.ts_init <= upper]
            full = len(page) >= TICKS_PER_PAGE
            if not full or first < chunk.start:
                return rows + inside
            if first == max(tick.ts_init for tick in page):  # one second holds a whole page
                rows += inside
                upper, end = first - 1, first - NS
            else:  # the earliest second may be cut: ask for it again, whole
                rows += [tick for tick in inside if tick.ts_init > first]
                upper, end = first, first
            if upper < chunk.start:
                return rows

    async def _tick_page(self, chunk: Chunk, target: Resolved, end: int) -> list:
        series = chunk.series
        return await self._paced(
            chunk,
            (series.identifier, series.tick_type, end),
            lambda: self.session.ticks(
                series,
                target.contract,
                end,
                self.settings.use_rth,
                self.settings.timeout,
            ),
        )

    async def _paced(self, chunk: Chunk, key: tuple, call: Callable[[], Awaitable[list]]) -> list:
        contract_key = chunk.series.instrument_id
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            await self.pacer.wait(key, contract_key)
            try:
                return await call()
            except IbRequestError as error:
                if error.is_no_data:
                    return []
                if error.is_unavailable:
                    raise SeriesUnavailable(error.message) from error
                if error.code == 200:
                    raise InstrumentNotFound(f"{chunk.series.instrument_id}: {error}") from error
                if not error.is_pacing or attempt + 1 == attempts:
                    raise DownloadFailed(self._describe(chunk, error, attempt)) from error
                await self.pacer.penalty(attempt)
            except TimeoutError as error:
                if attempt + 1 == attempts:
                    raise DownloadFailed(self._describe(chunk, "timed out", attempt)) from error
            except ConnectionError as error:
                raise DownloadFailed(self._describe(chunk, f"connection lost ({error})", 0)) from error
            self.retries += 1
        raise AssertionError("unreachable")

    def _describe(self, chunk: Chunk, error: object, attempt: int) -> str:
        tries = f" after {attempt + 1} attempts" if attempt else ""
        return (
            f"{chunk.series.instrument_id} {chunk.series.label} {fmt_ns(chunk.start)} →"
            f" {fmt_ns(chunk.end)}: {error}{tries}"
        )
