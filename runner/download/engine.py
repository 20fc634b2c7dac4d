"""Run a spec's `download:` section: connect, resolve instruments, fetch what is missing, write.

Work is done chunk by chunk, oldest first per series; each finished chunk is one atomic catalog
write, so a SIGINT/SIGTERM (or a crash) at any point leaves a consistent catalog and the next
run continues where this one stopped.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

from runner.download.fetch import Fetcher, FetchSettings, SeriesUnavailable
from runner.download.ib import IbSession, Resolved
from runner.download.pacer import Pacer
from runner.download.planner import Chunk, Series, covered_keys, plan_chunks, plan_series
from runner.download.report import Progress
from runner.download.results import DownloadResult, SeriesResult
from runner.download.store import CatalogStore
from runner.errors import InstrumentNotFound, Interrupted
from runner.ib.pacing import PacingRules
from runner.ib.times import NS
from runner.launch import signals
from runner.model import Spec
from runner.model.download import Download
from runner.model.instruments import Contract


@dataclass
class Job:
    spec: Spec
    host: str
    port: int
    catalog: Path
    progress: Progress
    pacer: Pacer = field(default_factory=Pacer)

    @property
    def download(self) -> Download:
        assert self.spec.download is not None
        return self.spec.download


def pacing_rules(spec: Spec) -> PacingRules:
    """The spec's `download.pacing`, else the simulated gateway's limits, else IB's."""
    assert spec.download is not None
    if spec.download.pacing is not None:
        return spec.download.pacing.rules()
    if spec.gateway.simulated is not None:
        return spec.gateway.simulated.pacing.rules()
    return PacingRules()


async def run_job(job: Job) -> DownloadResult:
    """Download everything `job.spec` asks for that the catalog lacks; Interrupted on a signal."""
    started = time.monotonic()
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in signals.handled():  # SIGINT, SIGTERM and (unless nohup) SIGHUP
        loop.add_signal_handler(sig, _interrupt, task, sig)
    loop.set_exception_handler(signals.quiet_cancellations)
    from runner.compile.compiler import compile_instrument_provider

    session = IbSession(
        job.host,
        job.port,
        job.download.client_id,
        job.download.market_data_type,
        compile_instrument_provider(job.spec.instruments),
        job.download.timeout,
    )
    store = CatalogStore(job.catalog)
    result = DownloadResult(job.catalog, [], 0, [])
    try:
        await _run(job, session, store, result)
    except asyncio.CancelledError:
        result.interrupted = True
    finally:
        for sig in signals.handled():
            loop.remove_signal_handler(sig)
        await session.close()
        result.requests, result.pacing_wait_s = job.pacer.requests, job.pacer.waited_s
        result.elapsed_s = time.monotonic() - started
        job.progress.stop()
    if result.interrupted:
        raise Interrupted(_interrupted_message(result))
    return result


def _interrupt(task: asyncio.Task[DownloadResult], sig: signal.Signals) -> None:
    signals.record(sig)  # what stopped it; a SIGHUP also leaves the closed terminal
    task.cancel()


async def _run(job: Job, session: IbSession, store: CatalogStore, result: DownloadResult) -> None:
    await session.connect(timeout=min(60, job.download.timeout))
    targets = await resolve_instruments(job.spec, session)
    result.instruments = [t.instrument_id for t in targets]
    result.new_instruments = store.write_instruments([t.instrument for t in targets])
    by_id = {t.instrument_id: t for t in targets}
    now_ns = time.time_ns()
    work = plan_work(job.download, store, list(by_id), now_ns)
    result.series = [SeriesResult(series, len(chunks)) for series, chunks in work]
    job.progress.start(result.series)
    fetcher = Fetcher(
        session,
        job.pacer,
        FetchSettings(
            job.download.use_rth,
            job.download.timeout,
            job.download.max_retries,
            now_ns,
        ),
    )
    gate = asyncio.Semaphore(job.download.concurrency)

    async def one(entry: SeriesResult, chunks: list[Chunk]) -> None:
        async with gate:
            target = by_id[entry.series.instrument_id]
            await _fetch_series(fetcher, store, target, chunks, entry, job)

    try:
        async with asyncio.TaskGroup() as group:
            for entry, (_, chunks) in zip(result.series, work, strict=True):
                group.create_task(one(entry, chunks))
    except BaseExceptionGroup as group_error:
        raise _first_error(group_error) from None
    finally:
        result.retries = fetcher.retries
        for entry in result.series:
            totals = store.totals(entry.series)
            entry.total_rows, entry.first, entry.last = totals.rows, totals.first, totals.last


async def _fetch_series(
    fetcher: Fetcher,
    store: CatalogStore,
    target: Resolved,
    chunks: list[Chunk],
    entry: SeriesResult,
    job: Job,
) -> None:
    job.progress.series_started(entry)
    for chunk in chunks:
        try:
            rows = await fetcher.chunk(chunk, target)
        except SeriesUnavailable as error:
            entry.unavailable = str(error)
            break
        store.write_chunk(chunk, rows)
        entry.done_chunks += 1
        entry.new_rows += len(rows)
        job.progress.chunk_done(entry)
    job.progress.series_done(entry)


def plan_work(
    download: Download, store: CatalogStore, instrument_ids: list[str], now_ns: int
) -> list[tuple[Series, list[Chunk]]]:
    """Chunks still missing per series; windows stop at the last complete bar before now."""
    work = []
    for plan in plan_series(download, instrument_ids):
        series = plan.series
        horizon = now_ns - series.offset_ns
        windows = [(lo, min(hi, horizon)) for lo, hi in plan.windows if lo < horizon]
        covered = covered_keys(series, store.covered(series))
        work.append((series, plan_chunks(series, windows, covered)))
    return work


async def resolve_instruments(spec: Spec, session: IbSession) -> list[Resolved]:
    """Every load_id and contract of the spec (chains expand); InstrumentNotFound lists misses."""
    from nautilus_trader.model.identifiers import InstrumentId

    from runner.compile.compiler import compile_contract

    items: list = [InstrumentId.from_str(i) for i in spec.instruments.load_ids]
    items += [compile_contract(c) for c in spec.instruments.contracts]
    labels = [*spec.instruments.load_ids, *(_contract_label(c) for c in spec.instruments.contracts)]
    resolved: dict[str, Resolved] = {}
    missing = []
    for item, label in zip(items, labels, strict=True):
        found = await session.resolve(item)
        if not found:
            missing.append(label)
        for target in found:
            resolved.setdefault(target.instrument_id, target)
    if missing:
        raise InstrumentNotFound(
            "IB has no security definition for " + ", ".join(missing) + f" (gateway {session.host}:{session.port})"
        )
    return list(resolved.values())


def _first_error(group: BaseExceptionGroup) -> BaseException:
    """The error to report from a TaskGroup: an IbrunError if any, cancellation otherwise."""
    from runner.errors import IbrunError

    leaves = list(_leaves(group))
    for leaf in leaves:
        if isinstance(leaf, IbrunError):
            return leaf
    return next((leaf for leaf in leaves if not isinstance(leaf, asyncio.CancelledError)), leaves[0])


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


_CONTRACT_DEFAULTS = {f.name: f.default for f in fields(Contract)}


def _contract_label(contract: Contract) -> str:
    values = {f.name: getattr(contract, f.name) for f in fields(contract)}
    written = {name: value for name, value in values.items() if value != _CONTRACT_DEFAULTS.get(name, MISSING)}
    return "contract " + " ".join(f"{k}={v}" for k, v in written.items())


def _interrupted_message(result: DownloadResult) -> str:
    done = sum(s.done_chunks for s in result.series)
    total = sum(s.chunks for s in result.series)
    return (
        f"download interrupted after {done}/{total} chunks ({result.rows_written} rows written);"
        f" the catalog at {result.catalog} is consistent: run the same command again to resume"
    )


__all__ = ["NS", "DownloadResult", "Job", "pacing_rules", "run_job"]
