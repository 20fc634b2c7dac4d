"""What every spec section shares: frozen dataclasses, unknown keys forbidden, and the markers
pydantic reads when it writes the schemas.

The sections are plain frozen dataclasses, so that importing the model costs no pydantic (about
0.1 s of the 0.15 s `ibrun validate` may take). pydantic reads these declarations — types,
markers, attribute docstrings, `__pydantic_config__` — only where the schemas are generated
(`runner.model.schema`): the JSON schema for editors, and the core schema pydantic-core validates
specs with at run time (`runner.model.parse`). The markers implement pydantic's documented hooks
(`__get_pydantic_core_schema__`, `__get_pydantic_json_schema__`) so that declaring a constraint
imports nothing either: not even annotated-types, whose import alone costs 9 ms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from pydantic import ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

# Nautilus config structs are frozen and reject unknown fields; the spec model follows suit so
# that a typo is an error (with a did-you-mean), never a silently ignored key.
FROZEN: ConfigDict = {"extra": "forbid", "use_attribute_docstrings": True}


class Frozen:
    """Base of every section; each is also a `@dataclass(frozen=True, kw_only=True)`."""

    __pydantic_config__ = FROZEN  # not annotated: `keys_of` resolves the annotations at run time


# Which constraints each pydantic-core schema type has (it ignores unknown keys silently).
_CONSTRAINTS = {
    "int": {"ge", "gt", "le", "lt"},
    "float": {"ge", "gt", "le", "lt"},
    "str": {"pattern", "min_length", "max_length"},
    "list": {"min_length", "max_length"},
}


class Constraints:
    """Bounds on the annotated value, named as pydantic-core names them: `Constraints(ge=1)`,
    `Constraints(min_length=1)`, `Constraints(pattern=r"...")` (pydantic's `Field(ge=1)`)."""

    __slots__ = ("values",)

    def __init__(self, **values: float | str) -> None:
        self.values = values

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        unknown = set(self.values) - _CONSTRAINTS.get(schema["type"], set())
        if unknown:
            raise TypeError(f"{sorted(unknown)} do not apply to a {schema['type']} ({source})")
        if "pattern" in self.values:
            re.compile(str(self.values["pattern"]))  # a broken pattern fails here, not in use
        return {**schema, **self.values}  # type: ignore[return-value]


class JsonSchemaExtra:
    """Keys added to the JSON schema of the annotated type (pydantic's `json_schema_extra`)."""

    __slots__ = ("extra",)

    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), **self.extra}


class AfterValidation:
    """Run `function` on the validated value (pydantic's `AfterValidator`). It must be a
    module-level function: the stored core schema refers to it by name."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.function, handler(source))


Port = Annotated[int, Constraints(ge=1, le=65535)]
ClientId = Annotated[int, Constraints(ge=0, le=2**31 - 1)]
Seconds = Annotated[int, Constraints(ge=1)]
PositiveSeconds = Annotated[float, Constraints(gt=0)]
ImportPath = Annotated[
    str,
    Constraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"),
    JsonSchemaExtra({"description": "An importable `package.module:ClassName` path."}),
]
