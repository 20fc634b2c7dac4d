"""docker compose's variable interpolation: `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?msg}`,
`${VAR?msg}`, `${VAR:+alt}`, `${VAR+alt}`, `$VAR` and `$$` for a literal dollar.

One deliberate difference: compose substitutes an empty string (with a warning) for an unset
`${VAR}`; ibrun refuses, because an empty account id or port in a trading config is never
what anyone meant. Write `${VAR-}` to accept an empty value explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class InterpolationError(ValueError):
    """A variable reference that cannot be resolved; the message is user-facing."""


def interpolate(text: str, environ: Mapping[str, str]) -> str:
    """Substitute every variable reference in `text`."""
    if "$" not in text:
        return text
    out, _ = _expand(text, 0, environ, closing=False)
    return out


def _expand(text: str, pos: int, environ: Mapping[str, str], *, closing: bool) -> tuple[str, int]:
    """Expand from `pos` to the end (or to the `}` closing an enclosing default)."""
    parts: list[str] = []
    while pos < len(text):
        char = text[pos]
        if closing and char == "}":
            return "".join(parts), pos
        if char != "$":
            parts.append(char)
            pos += 1
            continue
        value, pos = _reference(text, pos, environ)
        parts.append(value)
    if closing:
        raise InterpolationError("unterminated '${': missing '}'")
    return "".join(parts), pos


def _reference(text: str, pos: int, environ: Mapping[str, str]) -> tuple[str, int]:
    """Resolve the reference starting at the `$` at `pos`."""
    nxt = text[pos + 1 : pos + 2]
    if nxt == "$":
        return "$", pos + 2
    if nxt == "{":
        return _braced(text, pos + 2, environ)
    match = _NAME.match(text, pos + 1)
    if match is None:
        raise InterpolationError(f"invalid '$' at column {pos + 1}: write '$$' for a literal '$'")
    return _lookup(match.group(), environ), match.end()


def _braced(text: str, pos: int, environ: Mapping[str, str]) -> tuple[str, int]:
    match = _NAME.match(text, pos)
    if match is None:
        raise InterpolationError(f"invalid variable name in '${{{text[pos : pos + 20]}'")
    name, pos = match.group(), match.end()
    if text.startswith("}", pos):
        return _lookup(name, environ), pos + 1
    operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
    if operator is None:
        raise InterpolationError(f"invalid reference '${{{name}{text[pos : pos + 1]}…': expected '}}'")
    argument, pos = _expand(text, pos + len(operator), environ, closing=True)
    return _apply(name, operator, argument, environ), pos + 1


def _apply(name: str, operator: str, argument: str, environ: Mapping[str, str]) -> str:
    value = environ.get(name)
    present = value is not None and (value != "" or ":" not in operator)
    if operator.endswith("-"):
        return value if present and value is not None else argument
    if operator.endswith("+"):
        return argument if present else ""
    if present and value is not None:
        return value
    detail = f": {argument}" if argument else ""
    raise InterpolationError(f"required variable {name} is missing a value{detail}")


def _lookup(name: str, environ: Mapping[str, str]) -> str:
    value = environ.get(name)
    if value is None:
        raise InterpolationError(f"variable {name} is not set (set it, use --env-file, or write ${{{name}:-default}})")
    return value
