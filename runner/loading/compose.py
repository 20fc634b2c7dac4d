"""Assemble one spec from its file, the files it `extends:`, and `--set` overrides (overrides.py).

Semantics follow docker compose overlays: mappings deep-merge, lists and scalars replace.
Every value keeps the location where it was written, so an error in an inherited value points
into the base file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.errors import Location, SpecIssue
from runner.loading.document import Document, JsonPath, Positions, format_path
from runner.loading.extends import ExtendsScope, Step, as_written, cycle_text, has_spec_marker
from runner.loading.files import MAX_SPEC_BYTES, FileRefused, read_text
from runner.loading.overrides import SET_SOURCE, SetError, apply_set
from runner.loading.yamlfile import YamlError, parse_document

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class Assembled:
    """The merged data of one spec, its positions, the files it came from, and any problems."""

    data: dict[str, Any] | None
    positions: Positions
    sources: tuple[str, ...]
    issues: tuple[SpecIssue, ...]


def assemble(
    path: str, environ: Mapping[str, str], sets: tuple[str, ...] = (), *, allow_extends: tuple[StrPath, ...] = ()
) -> Assembled:
    """The spec at `path` with its bases and `--set`s applied; `allow_extends` are directories
    its `extends:` may read beyond its own project (see runner.loading.extends)."""
    path = os.path.normpath(path)
    loader = _ExtendsLoader(environ, ExtendsScope(path, tuple(allow_extends)))
    document = loader.load(Step(path), chain=(), referrer=None)
    if document is None:
        return Assembled(None, Positions(), tuple(loader.sources), tuple(loader.issues))
    data, positions = document.data, document.positions
    for index, assignment in enumerate(sets, start=1):
        try:
            apply_set(data, positions, assignment, index)
        except SetError as exc:
            location = Location(SET_SOURCE, index, exc.column)
            loader.issues.append(SpecIssue(location, format_path(exc.path), str(exc), "set"))
    return Assembled(data, positions, tuple(loader.sources), tuple(loader.issues))


class _ExtendsLoader:
    def __init__(self, environ: Mapping[str, str], scope: ExtendsScope) -> None:
        self.environ = environ
        self.scope = scope
        self.issues: list[SpecIssue] = []
        self.sources: list[str] = []

    def load(self, step: Step, chain: tuple[Step, ...], referrer: Location | None) -> Document | None:
        """The document at `step` with its own bases merged in; None (an issue recorded) when it
        cannot be used. `referrer` is the `extends:` entry naming it (None for the spec itself)."""
        if referrer is not None:
            refusal = self.refusal(step, chain)
            if refusal is not None:
                self.issues.append(SpecIssue(referrer, "$.extends", refusal, "extends"))
                return None
        parsed = self.parse(step.shown, referrer)
        if parsed is None:
            return None
        document, problems = parsed
        self.sources.append(step.shown)
        self.issues.extend(SpecIssue(p.location, format_path(p.path), p.message, p.rule) for p in problems)
        return self.resolve_extends(document, (*chain, step))

    def refusal(self, step: Step, chain: tuple[Step, ...]) -> str | None:
        if any(seen.real == step.real for seen in chain):
            return f"extends cycle: {cycle_text(chain, step)}"
        return self.scope.refusal(step.shown, step.real)

    def parse(self, path: str, referrer: Location | None) -> tuple[Document, list[YamlError]] | None:
        """The file parsed; problems of a file that is not a spec are summed up at `referrer`,
        never shown (its keys and values may be anything: see runner.loading.extends)."""
        try:
            text = read_text(path, MAX_SPEC_BYTES)
        except FileRefused as exc:
            self.issues.append(_unreadable(path, exc, referrer))
            return None
        marked = referrer is None or has_spec_marker(text)
        try:
            document, problems = parse_document(path, text, self.environ)
        except YamlError as exc:
            if marked:
                self.issues.append(SpecIssue(exc.location, "$", exc.message, "yaml"))
                return None
            document, problems = None, []
        if not marked and (document is None or not _only_spec_keys(document.data)):
            assert referrer is not None
            self.issues.append(SpecIssue(referrer, "$.extends", _not_a_spec(path), "extends"))
            return None
        assert document is not None
        return document, problems

    def resolve_extends(self, document: Document, chain: tuple[Step, ...]) -> Document | None:
        data = dict(document.data)
        extends = data.pop("extends", None)
        if extends is None:
            return Document(data, document.positions, document.file)
        bases = [extends] if isinstance(extends, str) else extends
        if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
            return Document(data, document.positions, document.file)  # the schema stage reports it
        merged_data: dict[str, Any] = {}
        merged_positions = Positions()
        for index, base in enumerate(bases):
            referrer = document.positions.locate(("extends", index) if isinstance(extends, list) else ("extends",))
            base_path = os.path.normpath(os.path.join(os.path.dirname(document.file), base))
            base_doc = self.load(Step(base_path), chain, referrer)
            if base_doc is not None:
                merge_into(merged_data, merged_positions, base_doc.data, base_doc.positions, ())
        merge_into(merged_data, merged_positions, data, document.positions, ())
        merged_positions.drop_subtree(("extends",))
        return Document(merged_data, merged_positions, document.file)


def _unreadable(path: str, exc: FileRefused, referrer: Location | None) -> SpecIssue:
    if referrer is None or exc.in_content:
        return SpecIssue(Location(path, exc.line, exc.col), "$", f"file {exc}", "yaml")
    shown = as_written(path)
    message = f"extended file not found: {shown}" if exc.missing else f"extended file {shown} {exc}"
    return SpecIssue(referrer, "$.extends", message, "extends")


def _only_spec_keys(data: dict[str, Any]) -> bool:
    # Imported here: only a base without `version: 1` needs the model's keys.
    from dataclasses import fields

    from runner.model.spec import Spec, spec_key

    return set(data) <= {spec_key(field.name) for field in fields(Spec)}


def _not_a_spec(path: str) -> str:
    return (
        f"extended file {as_written(path)} is not an ibrun spec (no top-level 'version: 1' or 'extends:', and "
        "not only spec keys): nothing of it is used or shown"
    )


def merge_into(
    target: dict[str, Any],
    positions: Positions,
    overlay: dict[str, Any],
    overlay_positions: Positions,
    prefix: JsonPath,
) -> None:
    """Deep-merge `overlay` into `target` in place; lists and scalars replace wholesale."""
    for key, value in overlay.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = dict(target[key])
            _copy_position(positions, overlay_positions, path)
            merge_into(target[key], positions, value, overlay_positions, path)
            continue
        target[key] = value
        positions.drop_subtree(path)
        _copy_subtree(positions, overlay_positions, path)


def _copy_position(positions: Positions, source: Positions, path: JsonPath) -> None:
    for table, src in zip(positions.tables(), source.tables(), strict=True):
        if path in src:
            table[path] = src[path]


def _copy_subtree(positions: Positions, source: Positions, path: JsonPath) -> None:
    n = len(path)
    for table, src in zip(positions.tables(), source.tables(), strict=True):
        for p, loc in src.items():
            if p[:n] == path:
                table[p] = loc
