"""Semantic checks for a spec that failed the schema: prune what is invalid, check the rest.

A user fixing a spec should see every problem in one run, not the schema errors first and the
semantic ones only after those are fixed. So invalid values are removed (falling back to the
model's defaults) and the remaining, valid part goes through the semantic rules. Problems under
a pruned path are dropped: the schema error already covers them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic_core import ValidationError

from runner.loading.document import JsonPath
from runner.model.parse import parse_spec
from runner.validation.checks import run_checks
from runner.validation.problems import Problem

_MAX_ROUNDS = 3
# Checks of these paths depend on a value elsewhere: when that value was invalid (and replaced
# by its default), their results would be about the wrong premise.
_DEPENDS_ON: dict[JsonPath, tuple[JsonPath, ...]] = {
    ("instruments", "symbology"): (("instruments", "load_ids"), ("data", "subscriptions")),
}


def checks_despite_schema_errors(
    data: dict[str, Any], variables: Mapping[JsonPath, frozenset[str]] | None = None
) -> list[Problem]:
    pruned_data = copy.deepcopy(data)
    pruned: list[JsonPath] = []
    for _ in range(_MAX_ROUNDS):
        try:
            spec = parse_spec(pruned_data)
        except ValidationError as exc:
            paths = [_prunable(tuple(e["loc"]), e["type"]) for e in exc.errors(include_url=False)]
            if any(p is None for p in paths) or not _prune(pruned_data, paths):  # type: ignore[arg-type]
                return []
            pruned.extend(p for p in paths if p is not None)
            pruned.extend(dep for p in paths for dep in _DEPENDS_ON.get(p, ()))  # type: ignore[arg-type]
            continue
        return [p for p in run_checks(spec, pruned_data, variables) if not _under_any(p[0], pruned)]
    return []


def _prunable(loc: tuple[Any, ...], kind: str) -> JsonPath | None:
    """The dict key to remove for this error. Inside a list the whole list goes (removing one
    item would shift the indices, and with them the locations of the other problems)."""
    path = tuple(p for p in loc if isinstance(p, int) or ("[" not in p and p not in {"str", "int", "list"}))
    if kind == "missing":
        path = path[:-1]  # remove the mapping that lacks a required key
    first_index = next((i for i, part in enumerate(path) if isinstance(part, int)), None)
    if first_index is not None:
        path = path[:first_index]
    return path or None


def _prune(data: dict[str, Any], paths: list[JsonPath]) -> bool:
    removed = False
    for path in paths:
        node: Any = data
        for part in path[:-1]:
            node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None  # type: ignore[index]
        if isinstance(node, dict) and path[-1] in node:
            del node[path[-1]]
            removed = True
    return removed


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and part < len(node)


def _under_any(path: JsonPath, prefixes: list[JsonPath]) -> bool:
    return any(path[: len(prefix)] == prefix or prefix[: len(path)] == path for prefix in prefixes)
