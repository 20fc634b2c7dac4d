"""`--set KEY.PATH=VALUE`: one override applied to an assembled spec, located at the `--set`.

The path is dotted keys with list indices, as Helm and jq users write them:
`node.strategies[0].config.x=1`. An index only addresses an element that exists (lists
replace wholesale, as in overlays: to write a whole list, `--set a.b='[x, y]'`); a missing
mapping on the way is created. `a.0.b` is accepted for `a[0].b` where `a` is a list.

Every key and value written by a `--set` is located at `<--set>:N:COL` (N: which `--set`,
COL: the column in it), so a validation error caused by an override points at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from runner.errors import Location
from runner.loading.document import JsonPath, Positions
from runner.loading.yamlfile import (
    CONTROL,
    KEY_CONTROL,
    MAX_DEPTH,
    YamlError,
    control_character,
    parse_value,
    resolve_plain_scalar,
    too_deep,
)

SET_SOURCE = "<--set>"

# A value starting with one of these is parsed as YAML (a flow list or mapping, a quoted string);
# any other is a plain scalar, so `--set x=a: b` stays the text it looks like.
_YAML_STARTS = ("[", "{", '"', "'")
_KEY = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[(\d+)\]")


class SetError(ValueError):
    """A `--set` that cannot be applied; `column` is where in the assignment the problem is."""

    def __init__(self, message: str, column: int, path: JsonPath = ()) -> None:
        super().__init__(message)
        self.column = column
        self.path = path


@dataclass(frozen=True)
class _Step:
    key: str | int  # an int only for an explicit `[N]`
    column: int  # 1-based, in the assignment
    text_end: int  # where this step ends in the dotted path (for messages)


def apply_set(data: dict[str, Any], positions: Positions, assignment: str, index: int) -> None:
    """Apply the `index`-th `--set`; the value is read as YAML (`3` is a number, `[A, B]` a list,
    `"[::1]:9090"` a string)."""
    dotted, sep, raw = assignment.partition("=")
    if not sep or not dotted:
        raise SetError(f"--set expects KEY.PATH=VALUE, got {assignment!r}", 1)
    _refuse_control_characters(dotted, raw)
    steps = _parse_path(assignment, dotted)
    if len(steps) > MAX_DEPTH:
        raise SetError(f"--set: the path is {len(steps)} keys long: {too_deep()}", 1)
    try:
        value = parse_value(raw, len(steps)) if raw.strip().startswith(_YAML_STARTS) else resolve_plain_scalar(raw)
    except YamlError as exc:
        # located in the assignment: the value starts after `dotted=`
        raise SetError(f"--set {dotted}: {exc.message}", len(dotted) + 1 + exc.location.col) from None
    walk = _Walk(dotted)
    try:
        container, key = walk.descend(data, steps)
    except SetError:
        walk.undo()
        raise
    container[key] = value
    # Everything from the first mapping this --set created (or else its last key) down is its own.
    first_own = walk.created_at if walk.created_at is not None else len(steps) - 1
    positions.drop_subtree(walk.path[: first_own + 1])
    for depth in range(first_own, len(steps)):
        here = Location(SET_SOURCE, index, steps[depth].column)
        positions.keys[walk.path[: depth + 1]] = positions.values[walk.path[: depth + 1]] = here
    positions.values[walk.path] = Location(SET_SOURCE, index, len(dotted) + 2)


def _refuse_control_characters(dotted: str, raw: str) -> None:
    """As in a spec file: none in a key, only tab and newline in a value (see yamlfile.CONTROL)."""
    for text, pattern, offset, what in ((dotted, KEY_CONTROL, 0, "key"), (raw, CONTROL, len(dotted) + 1, "value")):
        found = pattern.search(text)
        if found is not None:
            problem = control_character(text, pattern)
            raise SetError(f"--set: the {what}: {problem}", offset + found.start() + 1)


class _Walk:
    """Follows a parsed path through the data, creating missing mappings (undoable on error)."""

    def __init__(self, dotted: str) -> None:
        self.dotted = dotted
        self.path: JsonPath = ()
        self.created_at: int | None = None  # depth of the first mapping created
        self._undo: tuple[Any, str | int, Any] | None = None

    def descend(self, data: dict[str, Any], steps: list[_Step]) -> tuple[Any, str | int]:
        """The container and key the value goes to; intermediate mappings are created."""
        node: Any = data
        for depth, step in enumerate(steps):
            key = self.key_in(node, step)
            self.path = (*self.path, key)
            if depth == len(steps) - 1:
                return node, key
            node = self.child(node, key, depth, steps[depth + 1])
        raise AssertionError("a parsed path has at least one step")

    def key_in(self, node: Any, step: _Step) -> str | int:
        where = f"--set {self.dotted[: step.text_end]}"
        if isinstance(node, dict) and isinstance(step.key, str):
            return step.key
        if not isinstance(node, list):
            raise SetError(f"{where}: the value here is {_kind(node)}, not a list", step.column, self.path)
        if isinstance(step.key, str) and not step.key.isdigit():
            message = f"{where}: the value here is a list: index it, e.g. [0]"
            raise SetError(message, step.column, self.path)
        position = int(step.key)
        if position >= len(node):
            count = f"{len(node)} element{'' if len(node) == 1 else 's'}"
            message = f"{where}: index {position} is out of range: the list has {count}"
            raise SetError(message, step.column, self.path)
        return position

    def child(self, node: Any, key: str | int, depth: int, following: _Step) -> Any:
        child = node.get(key) if isinstance(node, dict) else node[key]
        if isinstance(child, (dict, list)):
            return child
        if child is not None:
            message = f"--set {self.dotted[: following.text_end]}: the value here is {_kind(child)}"
            raise SetError(f"{message}, not a mapping or a list", following.column, self.path)
        if isinstance(following.key, int):
            message = f"not set, so it has no element {following.key}"
            raise SetError(f"--set {self.dotted[: following.text_end]}: {message}", following.column, self.path)
        if self._undo is None:
            before = node.get(key, _ABSENT) if isinstance(node, dict) else None
            self._undo, self.created_at = (node, key, before), depth
        node[key] = {}
        return node[key]

    def undo(self) -> None:
        """Remove what a failed --set created, so the spec is left as it was."""
        if self._undo is not None:
            node, key, before = self._undo
            if before is _ABSENT:
                del node[key]
            else:
                node[key] = before


_ABSENT = object()


def _kind(value: Any) -> str:
    # Never the value itself: it may be a secret written in the spec.
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


def _parse_path(assignment: str, dotted: str) -> list[_Step]:
    steps: list[_Step] = []
    pos = 0
    while True:
        key = _KEY.match(dotted, pos)
        if key is None:
            what = "empty key" if pos == len(dotted) or dotted[pos] in ".[" else f"unexpected {dotted[pos]!r}"
            raise SetError(f"--set {assignment}: {what} at column {pos + 1}", pos + 1)
        steps.append(_Step(key.group(), pos + 1, key.end()))
        pos = key.end()
        while dotted.startswith("[", pos):
            number = _INDEX.match(dotted, pos)
            if number is None:
                raise SetError(f"--set {assignment}: expected a list index such as [0] at column {pos + 1}", pos + 1)
            steps.append(_Step(int(number.group(1)), pos + 1, number.end()))
            pos = number.end()
        if pos == len(dotted):
            return steps
        if dotted[pos] != ".":
            raise SetError(f"--set {assignment}: unexpected {dotted[pos]!r} at column {pos + 1}", pos + 1)
        pos += 1
