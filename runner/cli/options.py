"""Options every spec-reading command shares (`--set`, `--env-file`), filled into LoadOptions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from runner.loading.options import LoadOptions


def spec_options[F: Callable[..., Any]](func: F) -> F:
    """Add `--set KEY.PATH=VALUE` (repeatable) and `--env-file FILE` to a command."""
    func = click.option(
        "--env-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read variables for ${VAR} interpolation from this file (the environment wins).",
    )(func)
    func = click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="KEY.PATH=VALUE",
        help="Override a spec value after extends/interpolation, e.g. --set data.client_id=7.",
    )(func)
    return func


def load_options(sets: tuple[str, ...] = (), env_file: Path | None = None) -> LoadOptions:
    return LoadOptions(env_file=env_file, sets=tuple(sets))
