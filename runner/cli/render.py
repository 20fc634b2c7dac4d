"""`ibrun render` and `ibrun diff`: show what a spec compiles to, and how two specs differ.

nautilus (and the compiler) are imported inside the commands, so importing this module — which
the CLI does for every command, `ibrun validate` included — stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runner.cli.options import load_options, spec_options
from runner.loading.options import LoadOptions

if TYPE_CHECKING:
    from runner.compile.diff import Change
    from runner.compile.render import Document
    from runner.model import Spec

_SPEC_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


def _spec_options[F: Callable[..., Any]](command: F) -> F:
    """`--show-secrets` plus the shared `--set`/`--env-file`, for render and diff."""
    command = click.option("--show-secrets", is_flag=True, help="Print account ids and credentials unmasked.")(command)
    return spec_options(command)


def _compiled_document(path: Path, options: LoadOptions, secrets: str) -> tuple[Spec, Document]:
    """The spec's rendered config; ``secrets``: `read` (their values: --show-secrets), `mask`, or
    `reference` (`env:VAR`: diff compares what the specs say, wherever the secrets are)."""
    from runner.compile import secrets as readers
    from runner.compile.compiler import compile_spec
    from runner.compile.render import node_document
    from runner.validation.pipeline import environment, load_spec

    loaded = load_spec(path, options)
    reader = {
        "read": readers.read_secrets(loaded.base_dir, environment(options)),
        "mask": readers.masked,
        "reference": readers.reference,
    }[secrets]
    compiled = compile_spec(loaded.spec, secrets=reader)
    return loaded.spec, node_document(compiled, show_secrets=secrets != "mask")


def _fleet_document(path: Path, options: LoadOptions) -> Document:
    # no nautilus import: a fleet's members are compared as resolved specs, not compiled configs
    from runner.fleet.document import fleet_document
    from runner.validation.fleet import load_fleet

    return fleet_document(load_fleet(path, options), show_secrets=True)


@click.command("render")
@click.argument("spec", type=_SPEC_PATH)
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@_spec_options
def render_command(spec: Path, fmt: str, show_secrets: bool, env_file: Path | None, sets: tuple[str, ...]) -> None:
    """Print the TradingNodeConfig SPEC compiles to (nautilus' JSON encoding, or YAML of it).

    Account ids and credential-like values are masked as ******** unless --show-secrets.
    For docker/simulated gateways, ibg_host/ibg_port are a placeholder: 127.0.0.1 and IB's
    default port for the app and trading mode (the real port is picked at start).
    """
    from runner.compile.render import dump_document, render_header

    model, document = _compiled_document(spec, load_options(sets, env_file), "read" if show_secrets else "mask")
    header = render_header(model, None)
    if fmt == "yaml":
        click.echo("".join(f"# {line}\n" for line in header), nl=False)
    else:
        # JSON has no comments: the header goes to stderr, so stdout stays parseable.
        click.echo("\n".join(header), err=True)
    click.echo(dump_document(document, fmt), nl=False)  # type: ignore[arg-type]


@click.command("diff")
@click.argument("old", type=_SPEC_PATH)
@click.argument("new", type=_SPEC_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "unified"]),
    default="text",
    show_default=True,
    help="text: one `$.path: old → new` line per change; json: the same as a list; "
    "unified: diff -u of the key-sorted rendered JSON.",
)
@_spec_options
def diff_command(
    old: Path,
    new: Path,
    fmt: str,
    show_secrets: bool,
    env_file: Path | None,
    sets: tuple[str, ...],
) -> None:
    """Show how the configs OLD and NEW compile to differ. Exit 0: identical; 1: they differ.

    --set and --env-file apply to both specs. Two fleet files (kind: fleet) are compared by what
    they deploy: images, gateways, Redis, and each member's command and resolved spec.
    """
    from runner.compile.diff import diff_documents
    from runner.fleet.document import looks_like_fleet

    options = load_options(sets, env_file)
    if looks_like_fleet(old) or looks_like_fleet(new):
        old_document, new_document = _fleet_document(old, options), _fleet_document(new, options)
    else:
        old_document = _compiled_document(old, options, "reference")[1]
        new_document = _compiled_document(new, options, "reference")[1]
    # Compared unmasked, so a changed account id still counts; masked when shown.
    changes = diff_documents(old_document, new_document)
    click.echo(
        _format_diff(changes, old_document, new_document, fmt, show_secrets, (str(old), str(new))),
        nl=False,
    )
    if changes:
        click.get_current_context().exit(1)  # like diff(1); the entry exits with it


def _format_diff(
    changes: list[Change],
    old_document: Document,
    new_document: Document,
    fmt: str,
    show_secrets: bool,
    names: tuple[str, str],
) -> str:
    from runner.compile.diff import format_json, format_text, format_unified, mask_change
    from runner.model.secrets import mask_secrets

    shown = changes if show_secrets else [mask_change(change) for change in changes]
    if fmt == "json":
        return format_json(shown)
    if fmt == "text":
        return format_text(shown)
    if not show_secrets:
        old_document, new_document = mask_secrets(old_document), mask_secrets(new_document)
    unified = format_unified(old_document, new_document, *names)
    # A changed secret is masked on both sides, so say where it changed instead.
    hidden = [change.path for change in shown if change.old == change.new and change.new]
    return unified + "".join(f"# secret value differs: {path}\n" for path in hidden)
