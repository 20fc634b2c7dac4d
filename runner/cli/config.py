"""`ibrun config SPEC`: the resolved spec, each value with where it was set (docker compose's
`config` for ibrun's overlays)."""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.options import load_options, spec_options


@click.command("config")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-secrets", is_flag=True, help="Print account ids and credential-like values unmasked.")
@spec_options
def config_command(spec: Path, show_secrets: bool, sets: tuple[str, ...], env_file: Path | None) -> None:
    """Print SPEC resolved: extends merged, variables interpolated, --set applied, secrets masked.

    In the spec's own keys; each value ends with a comment saying where it was set
    (FILE:LINE, --set, or default when the model fills it in). Exit 1 if SPEC is invalid.
    """
    # Here, not at the top: `ibrun --help` imports every command module, and ruamel.yaml costs 25 ms.
    from runner.validation.resolved import resolve_spec, resolved_yaml

    resolved = resolve_spec(str(spec), load_options(sets, env_file))
    click.echo(resolved_yaml(resolved, str(spec), show_secrets=show_secrets), nl=False)
