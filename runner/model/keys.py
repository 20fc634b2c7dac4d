"""The keys of a section as a spec writes them, and the sections nested under them.

For the places that walk the model by key — a did-you-mean for an unknown key, `ibrun config`
printing a spec in its own vocabulary. Resolving the annotations costs a few milliseconds:
call these on an error path or when rendering, not for every spec validated.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

from runner.model.base import FROZEN, Frozen


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a section: as a spec writes it, the dataclass attribute, its resolved type."""

    name: str
    attribute: str
    hint: Any


def keys_of(section: type) -> list[Key]:
    """The keys `section` accepts, in declaration order."""
    config = getattr(section, "__pydantic_config__", FROZEN)
    generator = config.get("alias_generator")
    key_of = generator if callable(generator) else str
    hints = typing.get_type_hints(section)
    return [Key(key_of(f.name), f.name, hints[f.name]) for f in dataclasses.fields(section)]


def section_in(hint: Any) -> type | None:
    """The section class inside a field's type (`X`, `X | None`, `list[X]`), if any."""
    if isinstance(hint, type) and issubclass(hint, Frozen):
        return hint
    for argument in getattr(hint, "__args__", ()):
        found = section_in(argument)
        if found is not None:
            return found
    return None
