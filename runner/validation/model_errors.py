"""Turn pydantic-core's validation errors into located, readable spec issues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import ErrorDetails, ValidationError

from runner.errors import Location, SpecIssue
from runner.loading.document import JsonPath, Positions, format_path
from runner.model import Spec
from runner.model.parse import parse_spec

_SECRET_KEYS = frozenset({"username", "password"})
_SHOWN_INPUT_LIMIT = 60
# pydantic-core's names for a key the section does not have, and for a missing one
UNKNOWN_KEY = "unexpected_keyword_argument"
_KEY_ERRORS = (UNKNOWN_KEY, "missing")
# a value where a section (a mapping) was expected
_NOT_A_MAPPING = ("dataclass_type", "dict_type")


def validate_model(data: dict[str, Any], positions: Positions, file: str) -> tuple[Spec | None, list[SpecIssue]]:
    return validate_root(data, positions, file, parse_spec, Spec)


def validate_root[T](
    data: dict[str, Any], positions: Positions, file: str, parse: Callable[[Any], T], root: type
) -> tuple[T | None, list[SpecIssue]]:
    """`data` parsed into `root` (a spec, a fleet) by `parse`, or every located issue."""
    try:
        return parse(data), []
    except ValidationError as exc:
        return None, _issues(exc.errors(include_url=False), data, positions, file, root)


def _issues(errors: list[ErrorDetails], data: Any, positions: Positions, file: str, root: type) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    seen: set[tuple[JsonPath, str]] = set()
    for error in _collapse_unions(errors, data):
        path = _data_path(error["loc"], data)
        message = _message(error, path, root) + _empty_because(error, positions.variables.get(path))
        if (path, message) in seen:
            continue
        seen.add((path, message))
        key = error["type"] in _KEY_ERRORS
        location = positions.locate(path, key=key) or Location(file, 1, 1)
        issues.append(SpecIssue(location, format_path(path), message))
    return issues


def _collapse_unions(errors: list[ErrorDetails], data: Any) -> list[ErrorDetails]:
    """`str | list[str]` fails twice for one value; keep one error per value location."""
    by_path: dict[JsonPath, list[ErrorDetails]] = {}
    for error in errors:
        by_path.setdefault(_data_path(error["loc"], data), []).append(error)
    kept: list[ErrorDetails] = []
    for group in by_path.values():
        types = {e["type"] for e in group}
        if len(group) > 1 and types <= {"string_type", "list_type", "none_required", *_NOT_A_MAPPING}:
            kept.append({**group[0], "type": "union_mismatch", "msg": "; ".join(e["msg"] for e in group)})
        else:
            kept.extend(group)
    return kept


def _data_path(loc: tuple[int | str, ...], data: Any) -> JsonPath:
    """The path in the user's data: pydantic's locations also hold union-member tags (`str`,
    `list[str]`, `function-after[...]`), which are told apart by walking the data itself."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]  # type: ignore[index]
        elif index == len(loc) - 1 and isinstance(node, dict):
            path.append(part)  # a missing key
    return tuple(path)


def _message(error: ErrorDetails, path: JsonPath, root: type) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    secret = any(isinstance(p, str) and p in _SECRET_KEYS for p in path)
    shown = "" if secret else _shown(error.get("input"))
    if kind == UNKNOWN_KEY:
        return _unknown_key(path, root)
    if kind == "missing":
        return f"required key '{path[-1]}' is missing"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}{shown}"
    if kind == "string_pattern_mismatch":
        return _pattern_message(path, ctx.get("pattern", "")) + shown
    if kind in _NOT_A_MAPPING and secret:
        return "expected a secret reference {env: VAR} or {file: PATH}; literal secrets are not allowed"
    if kind in _NOT_A_MAPPING:
        return f"expected a mapping{shown}"
    if kind == "union_mismatch":
        return f"expected a string or a list of strings{shown}"
    text = error["msg"].removeprefix("Value error, ")
    return f"{text[0].lower()}{text[1:]}{shown}"


def _empty_because(error: ErrorDetails, variables: frozenset[str] | None) -> str:
    """Why a value is missing: an unquoted `${VAR}` that is empty reads as null (no value)."""
    if not variables or error.get("input", "") is not None:
        return ""
    names = " and ".join(f"${{{name}}}" for name in sorted(variables))
    return f" (the value is empty: it comes from {names})"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return ""
    text = repr(value)
    return f", got {text}" if len(text) <= _SHOWN_INPUT_LIMIT else ""


_PATTERN_HINTS = {
    "trader_id": "expected NAME-TAG, e.g. PAPER-TRADER-001",
    "path": "expected an import path 'package.module:ClassName'",
    "config_path": "expected an import path 'package.module:ConfigClass'",
    "lastTradeDateOrContractMonth": "expected YYYYMM or YYYYMMDD",
    "lastTradeDate": "expected YYYYMMDD",
    "env": "expected an environment variable name",
}


def _pattern_message(path: JsonPath, pattern: str) -> str:
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    return _PATTERN_HINTS.get(name, f"does not match the pattern {pattern}")


def _unknown_key(path: JsonPath, root: type) -> str:
    # Imported here: only a spec with an unknown key needs them (3 ms off every valid spec's path).
    from runner.validation.lookalike import non_ascii_note, suggestion

    if not path:
        return "unknown key"
    key = str(path[-1])
    note = non_ascii_note(key)
    close = suggestion(key, _allowed_keys(path[:-1], root))
    hint = f"; did you mean '{close}'?" if close else ""
    return f"unknown key '{key}'{': ' + note if note else ''}{hint}"


def _allowed_keys(path: JsonPath, root: type) -> list[str]:
    """Keys the model accepts at `path` (walks the sections, following lists/optionals)."""
    from runner.model.keys import keys_of, section_in  # see _unknown_key

    section: type | None = root
    for part in path:
        if isinstance(part, int):
            continue
        key = next((k for k in keys_of(section) if k.name == part), None) if section else None
        if key is None:
            return []
        section = section_in(key.hint)
    return [key.name for key in keys_of(section)] if section else []
