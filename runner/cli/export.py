"""`ibrun export compose|k8s FLEET`: a fleet file as a docker compose file or Kubernetes manifests.

The output is deterministic: the same fleet (and the same member specs) gives the same bytes, so
it can be committed and reviewed. Secrets are references (compose secret files or variables,
Kubernetes Secrets by name), never values.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from runner.cli.options import load_options, spec_options

if TYPE_CHECKING:
    from runner.validation.loaded_fleet import LoadedFleet

_FLEET = click.argument("fleet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_OUTPUT = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)


def _load(fleet: Path, sets: tuple[str, ...], env_file: Path | None) -> LoadedFleet:
    from runner.validation.fleet import load_fleet

    return load_fleet(fleet, load_options(sets, env_file))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@click.group("export")
def export_group() -> None:
    """Export a fleet file (kind: fleet) for docker compose or Kubernetes."""


@export_group.command("compose")
@_FLEET
@_OUTPUT
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the compose file will live (its relative paths start there); default: the "
    "output file's directory, else the fleet file's.",
)
@spec_options
def compose_command(
    fleet: Path, output: Path | None, project_dir: Path | None, sets: tuple[str, ...], env_file: Path | None
) -> None:
    """Print FLEET as a compose file: `ibrun export compose fleet.yaml -o compose.yaml`, then
    `docker compose -f compose.yaml up -d`. Exit 1 if the fleet or a member spec is invalid."""
    from runner.fleet.compose import compose_document
    from runner.fleet.text import dump_documents

    loaded = _load(fleet, sets, env_file)
    directory = project_dir or (output.parent if output is not None else fleet.parent)
    header = (
        f"ibrun export compose {fleet}: generated, edit the fleet file instead.\n"
        f"docker compose -p {loaded.fleet.name} -f THIS_FILE up -d"
    )
    _emit(dump_documents([compose_document(loaded, directory)], header), output)


@export_group.command("k8s")
@_FLEET
@_OUTPUT
@spec_options
def k8s_command(fleet: Path, output: Path | None, sets: tuple[str, ...], env_file: Path | None) -> None:
    """Print FLEET as Kubernetes manifests (`kubectl apply -n NAMESPACE -f -`). The Secrets they
    name are yours to create: see README, Fleets. Exit 1 if the fleet or a member is invalid."""
    from runner.fleet.k8s import k8s_manifests
    from runner.fleet.text import dump_documents

    loaded = _load(fleet, sets, env_file)
    names = ", ".join(f"{loaded.fleet.name}-gateway-{name}" for name in loaded.fleet.gateways)
    header = (
        f"ibrun export k8s {fleet}: generated, edit the fleet file instead.\n"
        f"Secrets to create first: {names} (keys username, password); {loaded.fleet.name}-env (optional)."
    )
    _emit(dump_documents(k8s_manifests(loaded), header), output)
