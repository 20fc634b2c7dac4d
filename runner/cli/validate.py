"""`ibrun validate PATH…`: check spec files for CI and editors; every error of every file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from runner.cli.options import load_options, spec_options
from runner.errors import ExitCode
from runner.validation.batch import check_files
from runner.validation.discover import NOT_A_SPEC, discover
from runner.validation.report import report


@click.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: workflow annotations shown inline on pull requests.",
)
@click.option("--deep", is_flag=True, help="Also import strategies/actors and run nautilus' own id parser (slower).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for large batches (default: CPU count - 1).",
)
@click.option(
    "--skip-non-specs",
    is_flag=True,
    help="Skip named files that do not look like ibrun specs, as in directories (for pre-commit).",
)
@spec_options
def validate_command(
    paths: tuple[str, ...],
    fmt: str,
    deep: bool,
    workers: int | None,
    skip_non_specs: bool,
    sets: tuple[str, ...],
    env_file: Path | None,
) -> None:
    """Validate spec files, directories or globs. Exit 0 valid, 1 invalid, 2 usage error."""
    discovered = discover(paths, skip_non_specs=skip_non_specs)
    for path in discovered.skipped:
        click.echo(f"note: skipped {path}: {NOT_A_SPEC}", err=True)
    results = check_files(discovered.files, load_options(sets, env_file), deep=deep, workers=workers)
    report(results, fmt, sys.stdout)
    if not all(r.ok for r in results):
        click.get_current_context().exit(ExitCode.SPEC_INVALID)  # the entry exits with it
