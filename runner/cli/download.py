"""`ibrun download SPEC`: the spec's instruments, bars and ticks into a ParquetDataCatalog.

Errors are raised as :class:`runner.errors.IbrunError` subclasses (the CLI prints them and exits
with their code): SpecInvalid 1, GatewayUnreachable 4, InstrumentNotFound 9, DownloadFailed 12,
Interrupted 130 (the catalog stays consistent; re-running resumes).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from runner.cli.options import confirm_live_option, load_options, spec_options
from runner.errors import DownloadFailed, IbrunError, Interrupted, Location, SpecInvalid, SpecIssue

if TYPE_CHECKING:
    from runner.download.pacer import PacingRules
    from runner.download.results import DownloadResult
    from runner.model import Spec

_SPEC_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("download")
@click.argument("spec", type=_SPEC_PATH)
@spec_options
@click.option(
    "--catalog",
    type=click.Path(file_okay=False, path_type=Path),
    help="Catalog directory (overrides download.catalog).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output; just the final table.")
@confirm_live_option
def download_command(
    spec: Path,
    sets: tuple[str, ...],
    env_file: Path | None,
    catalog: Path | None,
    quiet: bool,
    confirm_live: bool,
) -> None:
    """Download SPEC's instruments, bars and ticks into a ParquetDataCatalog (resumable)."""
    try:
        result = download(spec, sets, env_file, catalog, quiet, confirm_live)
    except IbrunError:
        raise
    except KeyboardInterrupt:
        raise Interrupted("interrupted before the download started; nothing written") from None
    except Exception as error:
        raise DownloadFailed(
            f"unexpected {type(error).__name__}: {error} (`ibrun --traceback download …` shows where)"
        ) from error
    from runner.download.report import print_summary

    print_summary(result)


def download(
    spec_path: Path,
    sets: tuple[str, ...] = (),
    env_file: Path | None = None,
    catalog: Path | None = None,
    quiet: bool = False,
    confirm_live: bool = False,
) -> DownloadResult:
    """Load the spec, start its gateway if ibrun owns it, and run the download.

    A download never places orders: the live interlock is for the container it may start (a
    live, writable `gateway.docker` needs ``confirm_live``)."""
    from runner.validation.pipeline import load_spec

    loaded = load_spec(spec_path, load_options(sets, env_file))
    spec = loaded.spec
    if spec.download is None:
        raise SpecInvalid(
            [
                SpecIssue(
                    _location(spec_path),
                    "download",
                    "the spec has no download: section",
                    "check",
                )
            ]
        )
    from runner.download.engine import Job, run_job
    from runner.download.pacer import Pacer
    from runner.download.report import Progress
    from runner.launch.gateway import gateway_endpoint
    from runner.launch.interlock import Consent, Interlock

    target = catalog if catalog is not None else Path(spec.download.catalog)
    interlock = Interlock(spec, "download", Consent(confirm_live, dict(os.environ)))
    with gateway_endpoint(loaded, interlock) as endpoint:
        job = Job(
            spec,
            endpoint.host,
            endpoint.port,
            target,
            Progress(quiet=quiet),
            Pacer(_rules(spec)),
        )
        return asyncio.run(run_job(job))


def _rules(spec: Spec) -> PacingRules:
    from runner.download.engine import pacing_rules

    return pacing_rules(spec)


def _location(path: Path) -> Location:
    return Location(str(path), 1, 1)
