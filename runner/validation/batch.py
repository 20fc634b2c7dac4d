"""Check many spec files, in parallel worker processes when there are enough to pay for them."""

from __future__ import annotations

import os
from dataclasses import replace

from runner.loading.options import LoadOptions
from runner.validation.pipeline import FileResult, check_file, environment

# Below this many files a process pool costs more (fork + imports) than it saves.
PARALLEL_THRESHOLD = 48


def check_files(
    files: list[str], options: LoadOptions, *, deep: bool = False, workers: int | None = None
) -> list[FileResult]:
    environ = environment(options)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(files) >= PARALLEL_THRESHOLD:
        results = _parallel(files, options, environ, workers)
    else:
        results = [_check_one(path, options, environ) for path in files]
    if deep:
        from runner.validation.deep import deep_check

        results = [deep_check(result, options, environ) for result in results]
    return results


def _check_one(path: str, options: LoadOptions, environ: dict[str, str]) -> FileResult:
    return check_file(path, options, environ)


def _check_lean(args: tuple[str, LoadOptions, dict[str, str]]) -> FileResult:
    # Workers send back issues only: pickling 1,000 models would cost more than checking them.
    result = check_file(*args)
    return replace(result, spec=None) if result.ok else result


def _parallel(files: list[str], options: LoadOptions, environ: dict[str, str], workers: int) -> list[FileResult]:
    from concurrent.futures import ProcessPoolExecutor  # only paid for when used

    jobs = [(path, options, environ) for path in files]
    chunk = max(1, len(files) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_check_lean, jobs, chunksize=chunk))
