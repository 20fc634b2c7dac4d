"""Check many spec files, in parallel worker processes when there are enough to pay for them."""

from __future__ import annotations

import os
from dataclasses import replace

from runner.loading.compose import assemble
from runner.loading.options import LoadOptions
from runner.validation.pipeline import FileResult, check_assembled, environment, is_fleet

# A spec takes about 0.35 ms to check, starting a process pool about 60 ms of CPU (imports, fork,
# pipes): below this many files the pool costs more than two or three workers save.
PARALLEL_THRESHOLD = 400


def check_files(
    files: list[str], options: LoadOptions, *, deep: bool = False, workers: int | None = None
) -> list[FileResult]:
    environ = environment(options)
    # One core is left to the rest of the machine: on a busy 2-core machine a second worker
    # shares a core with someone else and finishes last (1,000 specs: 0.52 s vs 0.49 s serial).
    workers = workers if workers is not None else max(1, (os.cpu_count() or 1) - 1)
    if workers > 1 and len(files) >= PARALLEL_THRESHOLD:
        results = _parallel(files, options, environ, workers)
    else:
        results = [check_path(path, options, environ) for path in files]
    if deep:
        from runner.validation.deep import deep_check

        results = [deep_check(result, options, environ) for result in results]
    return results


def check_path(path: str, options: LoadOptions, environ: dict[str, str] | None = None) -> FileResult:
    """One file for `ibrun validate`: a spec, or a fleet with its members."""
    env = environ if environ is not None else environment(options)
    assembled = assemble(path, env, options.sets, allow_extends=options.allow_extends)
    if not is_fleet(assembled.data):
        return check_assembled(path, assembled)
    # The fleet stage (its model, wiring and checks: ~8 ms of imports) only for a fleet file.
    from runner.validation.fleet import check_fleet

    _, issues = check_fleet(path, assembled, env, options.allow_extends)
    return FileResult(path, None, issues, assembled.sources)


# A worker's options and variables, sent once when it starts (not with each of 1,000 paths).
_worker_settings: tuple[LoadOptions, dict[str, str]] | None = None


def _start_worker(options: LoadOptions, environ: dict[str, str]) -> None:
    global _worker_settings
    _worker_settings = (options, environ)


def _check_lean(path: str) -> FileResult:
    assert _worker_settings is not None, "runs in a worker started by _start_worker"
    # Workers send back issues only: pickling 1,000 models would cost more than checking them.
    result = check_path(path, *_worker_settings)
    return replace(result, spec=None) if result.ok else result


def _parallel(files: list[str], options: LoadOptions, environ: dict[str, str], workers: int) -> list[FileResult]:
    from concurrent.futures import ProcessPoolExecutor  # only paid for when used

    chunk = max(1, len(files) // (workers * 4))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(options, environ))
    with pool:
        return list(pool.map(_check_lean, files, chunksize=chunk))
