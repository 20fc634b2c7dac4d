"""`ibrun schema`: print the spec JSON Schema, or write it into a directory."""

from __future__ import annotations

from pathlib import Path

import click

from runner.model.schema import render_schema, write_schema


@click.command("schema")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write ibrun-spec.schema.json into this directory instead of printing it.",
)
def schema_command(output_dir: Path | None) -> None:
    """Print the JSON Schema (2020-12) of ibrun specs, generated from the model."""
    if output_dir is None:
        click.echo(render_schema(), nl=False)
    else:
        click.echo(f"wrote {write_schema(output_dir)}")
