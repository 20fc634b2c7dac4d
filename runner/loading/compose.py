"""Assemble one spec from its file, the files it `extends:`, and `--set` overrides (overrides.py).

Semantics follow docker compose overlays: mappings deep-merge, lists and scalars replace.
Every value keeps the location where it was written, so an error in an inherited value points
into the base file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import Location, SpecIssue
from runner.loading.document import Document, JsonPath, Positions, format_path
from runner.loading.interpolate import interpolate
from runner.loading.overrides import SET_SOURCE, SetError, apply_set
from runner.loading.yamlfile import YamlError, read_document


@dataclass(frozen=True)
class Assembled:
    """The merged data of one spec, its positions, the files it came from, and any problems."""

    data: dict[str, Any] | None
    positions: Positions
    sources: tuple[str, ...]
    issues: tuple[SpecIssue, ...]


def assemble(path: str, environ: Mapping[str, str], sets: tuple[str, ...] = ()) -> Assembled:
    loader = _ExtendsLoader(environ)
    document = loader.load(os.path.normpath(path), chain=(), referrer=None)
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
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.issues: list[SpecIssue] = []
        self.sources: list[str] = []

    def load(self, path: str, chain: tuple[str, ...], referrer: Location | None) -> Document | None:
        if path in chain:
            cycle = " → ".join((*chain[chain.index(path) :], path))
            self.issues.append(
                SpecIssue(referrer or Location(path, 1, 1), "$.extends", f"extends cycle: {cycle}", "extends")
            )
            return None
        if referrer is not None and not os.path.isfile(path):
            self.issues.append(SpecIssue(referrer, "$.extends", f"extended file not found: {path}", "extends"))
            return None
        try:
            document, problems = read_document(path, lambda text: interpolate(text, self.environ))
        except YamlError as exc:
            self.issues.append(SpecIssue(exc.location, "$", exc.message, "yaml"))
            return None
        self.sources.append(path)
        self.issues.extend(SpecIssue(p.location, format_path(p.path), p.message, "interpolation") for p in problems)
        return self.resolve_extends(document, (*chain, path))

    def resolve_extends(self, document: Document, chain: tuple[str, ...]) -> Document | None:
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
            base_doc = self.load(base_path, chain, referrer)
            if base_doc is not None:
                merge_into(merged_data, merged_positions, base_doc.data, base_doc.positions, ())
        merge_into(merged_data, merged_positions, data, document.positions, ())
        merged_positions.drop_subtree(("extends",))
        return Document(merged_data, merged_positions, document.file)


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
    for table, src in ((positions.values, source.values), (positions.keys, source.keys)):
        if path in src:
            table[path] = src[path]


def _copy_subtree(positions: Positions, source: Positions, path: JsonPath) -> None:
    n = len(path)
    for table, src in ((positions.values, source.values), (positions.keys, source.keys)):
        for p, loc in src.items():
            if p[:n] == path:
                table[p] = loc


def read_env_file(path: Path) -> dict[str, str]:
    """Variables of a compose-style `.env` file (KEY=VALUE, # comments, optional quotes)."""
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}
