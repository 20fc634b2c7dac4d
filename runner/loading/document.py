"""A loaded YAML document: plain data plus where every value (and key) was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.errors import Location

JsonPath = tuple[str | int, ...]


def format_path(path: JsonPath) -> str:
    """`("a", 0, "b")` → `$.a[0].b` (JSONPath, as check-jsonschema and jq users read it)."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{part!r}]"
    return text


@dataclass
class Positions:
    """Value and key locations by JSON path, and the variables a value was interpolated from
    (only for those that were); mutable only while a loader builds it."""

    values: dict[JsonPath, Location] = field(default_factory=dict)
    keys: dict[JsonPath, Location] = field(default_factory=dict)
    variables: dict[JsonPath, frozenset[str]] = field(default_factory=dict)

    def tables(self) -> tuple[dict[JsonPath, Any], ...]:
        return (self.values, self.keys, self.variables)

    def drop_subtree(self, prefix: JsonPath) -> None:
        n = len(prefix)
        for table in self.tables():
            for path in [p for p in table if p[:n] == prefix]:
                del table[path]

    def locate(self, path: JsonPath, *, key: bool = False) -> Location | None:
        """Closest known location: the key itself, the value, or the nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        for cut in range(len(path), -1, -1):
            found = self.values.get(path[:cut])
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Document:
    data: Any
    positions: Positions
    file: str
