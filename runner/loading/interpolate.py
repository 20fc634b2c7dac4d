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
    return expand(text, environ)[0]


def expand(text: str, environ: Mapping[str, str]) -> tuple[str, frozenset[str]]:
    """`text` with every variable reference substituted, and the names of the variables it
    refers to (each one consulted, a default's too): what the value may carry of them."""
    if "$" not in text:
        return text, frozenset()
    expander = _Expander(environ)
    out, _ = expander.expand(text, 0, closing=False)
    return out, frozenset(expander.used)


class _Expander:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.used: set[str] = set()

    def expand(self, text: str, pos: int, *, closing: bool) -> tuple[str, int]:
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
            value, pos = self.reference(text, pos)
            parts.append(value)
        if closing:
            raise InterpolationError("unterminated '${': missing '}'")
        return "".join(parts), pos

    def reference(self, text: str, pos: int) -> tuple[str, int]:
        """Resolve the reference starting at the `$` at `pos`."""
        nxt = text[pos + 1 : pos + 2]
        if nxt == "$":
            return "$", pos + 2
        if nxt == "{":
            return self.braced(text, pos + 2)
        match = _NAME.match(text, pos + 1)
        if match is None:
            raise InterpolationError(f"invalid '$' at column {pos + 1}: write '$$' for a literal '$'")
        return self.lookup(match.group()), match.end()

    def braced(self, text: str, pos: int) -> tuple[str, int]:
        match = _NAME.match(text, pos)
        if match is None:
            raise InterpolationError(f"invalid variable name in '${{{text[pos : pos + 20]}'")
        name, pos = match.group(), match.end()
        if text.startswith("}", pos):
            return self.lookup(name), pos + 1
        operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
        if operator is None:
            raise InterpolationError(f"invalid reference '${{{name}{text[pos : pos + 1]}…': expected '}}'")
        argument, pos = self.expand(text, pos + len(operator), closing=True)
        return self.apply(name, operator, argument), pos + 1

    def apply(self, name: str, operator: str, argument: str) -> str:
        self.used.add(name)
        value = self.environ.get(name)
        present = value is not None and (value != "" or ":" not in operator)
        if operator.endswith("-"):
            return value if present and value is not None else argument
        if operator.endswith("+"):
            return argument if present else ""
        if present and value is not None:
            return value
        detail = f": {argument}" if argument else ""
        raise InterpolationError(f"required variable {name} is missing a value{detail}")

    def lookup(self, name: str) -> str:
        self.used.add(name)
        value = self.environ.get(name)
        if value is None:
            raise InterpolationError(
                f"variable {name} is not set (set it, use --env-file, or write ${{{name}:-default}})"
            )
        return value
