"""Options every spec-reading command shares (`--set`, `--env-file`, `--allow-extends`), filled
into LoadOptions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from runner.loading.options import LoadOptions

# `--allow-extends` is kept in the click context rather than passed to every command function:
# only `load_options` reads it.
_ALLOW_EXTENDS = "ibrun.allow_extends"


def spec_options[F: Callable[..., Any]](func: F) -> F:
    """Add `--set KEY.PATH=VALUE` (repeatable), `--env-file FILE` and `--allow-extends DIR`."""
    func = click.option(
        "--allow-extends",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        envvar="IBRUN_ALLOW_EXTENDS",
        expose_value=False,
        callback=_remember_allowed,
        metavar="DIR",
        help=(
            "Let `extends:` read files under DIR too (repeatable; IBRUN_ALLOW_EXTENDS=DIR:DIR). "
            "By default only the spec's git repository (else its directory)."
        ),
    )(func)
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


def _remember_allowed(ctx: click.Context, _: click.Parameter, value: tuple[Path, ...]) -> tuple[Path, ...]:
    ctx.meta[_ALLOW_EXTENDS] = tuple(value)
    return value


def load_options(sets: tuple[str, ...] = (), env_file: Path | None = None) -> LoadOptions:
    context = click.get_current_context(silent=True)
    allowed: tuple[Path, ...] = context.meta.get(_ALLOW_EXTENDS, ()) if context is not None else ()
    return LoadOptions(env_file=env_file, sets=tuple(sets), allow_extends=allowed)


def confirm_live_option[F: Callable[..., Any]](func: F) -> F:
    """Add `--confirm-live`: consent to a live, writable gateway (runner.launch.interlock)."""
    return click.option(
        "--confirm-live",
        is_flag=True,
        help="Allow a live, writable gateway (or IBRUN_CONFIRM_LIVE=<trader_id>).",
    )(func)
