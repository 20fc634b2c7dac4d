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
from dataclasses import MISSING, Field, dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any, cast, dataclass_transform

if TYPE_CHECKING:
    from pydantic import ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

# Nautilus config structs are frozen and reject unknown fields; the spec model follows suit so
# that a typo is an error (with a did-you-mean), never a silently ignored key.
FROZEN: ConfigDict = {"extra": "forbid", "use_attribute_docstrings": True}


class Frozen:
    """Base of every section (each is declared with `@section`): construction by keywords,
    equality, hash and repr by field values, as a frozen keyword-only dataclass's."""

    __pydantic_config__ = FROZEN  # not annotated: `keys_of` resolves the annotations at run time
    __section_fields__: tuple[Field[Any], ...] = ()
    __field_names__: tuple[str, ...] = ()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # pydantic's hook for a class's own schema: every section's numbers follow one rule.
        schema: CoreSchema = _each_node(handler(source), strict_scalars)
        return schema

    def __init__(self, **values: Any) -> None:
        # What the `__init__` dataclass would write does; pydantic-core does not call it (it
        # fills `__dict__` and calls `__post_init__`), code and default factories do.
        name = self.__class__.__qualname__
        unknown = [key for key in values if key not in self.__field_names__]
        if unknown:
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument {unknown[0]!r}")
        for field in self.__section_fields__:
            if field.name in values:
                value = values[field.name]
            elif field.default is not MISSING:
                value = field.default
            elif field.default_factory is not MISSING:
                value = field.default_factory()
            else:
                raise TypeError(f"{name}.__init__() missing 1 required keyword-only argument: {field.name!r}")
            object.__setattr__(self, field.name, value)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__field_names__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__field_names__)
        return f"{self.__class__.__qualname__}({shown})"


@dataclass_transform(frozen_default=True, kw_only_default=True)
def section[S: Frozen](cls: type[S]) -> type[S]:
    """`@dataclass(frozen=True, kw_only=True)` for a spec section, at a third of the import cost.

    Python 3.12's dataclass compiles six methods per class from source; for the ~40 sections
    that was 33 ms of the ~150 `ibrun validate` may take. The four that do the same for every
    section (`__init__`, `__eq__`, `__hash__`, `__repr__`) are `Frozen`'s; the class is still a
    frozen dataclass (`fields`, `replace`, `asdict`, pydantic's schema generation), and type
    checkers see the constructor dataclass would write (`dataclass_transform`)."""
    made = dataclass(frozen=True, kw_only=True, init=False, eq=False, repr=False)(cls)
    made.__section_fields__ = tuple(fields(cast(Any, made)))
    if not all(field.init for field in made.__section_fields__):  # Frozen.__init__ takes every field
        raise TypeError(f"{cls.__qualname__}: a section's fields are all keyword arguments (no `init=False`)")
    made.__field_names__ = tuple(field.name for field in made.__section_fields__)
    return made


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


# What every number and boolean of a spec is, whatever its type says (`strict_scalars`, applied
# to each node of every section's core schema by `Frozen`): ints and floats are strict — `true`
# is not 1 (`gateway.port: true` was port 1), `"4002"` and `4002.0` are no ints; floats are
# finite; an int without a bound of its own stays within int64, the widest nautilus' Rust and
# Cython types (and IB's wire) hold; an int literal (`version: 1`) is strict too. Booleans are
# YAML's booleans only: `1`, `0`, `yes` or `"false"` (strings here, as in YAML 1.2) are none.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def strict_scalars(schema: dict[str, Any]) -> dict[str, Any]:
    """One node of a pydantic-core schema, with the rule above applied (other nodes unchanged)."""
    kind = schema.get("type")
    if kind == "int":
        bounded = {"ge": INT64_MIN} if not {"ge", "gt"} & set(schema) else {}
        bounded |= {"le": INT64_MAX} if not {"le", "lt"} & set(schema) else {}
        return {**schema, **bounded, "strict": True}
    if kind == "float":
        return {**schema, "strict": True, "allow_inf_nan": False}
    if kind == "bool":
        return {**schema, "strict": True}
    expected = schema.get("expected", ()) if kind == "literal" and not schema.get("strict") else ()
    if expected and all(type(value) is int for value in expected):
        # pydantic-core's literal takes `True` for 1 even when strict; the JSON schema keeps `const`
        function = {"type": "no-info", "function": not_a_boolean}
        return {"type": "function-before", "function": function, "schema": {**schema, "strict": True}}
    return schema


def not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("input should be a valid integer")  # pydantic-core's words for an int
    return value


def _each_node(value: Any, rule: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    if isinstance(value, dict):
        return {key: _each_node(item, rule) for key, item in rule(value).items()}
    if isinstance(value, list):
        return [_each_node(item, rule) for item in value]
    return value


Port = Annotated[int, Constraints(ge=1, le=65535)]
ClientId = Annotated[int, Constraints(ge=0, le=2**31 - 1)]

# Durations. Every seconds field is one of these: finite (above), positive, and at most a year,
# far inside what nautilus adds to its clock (`now + timedelta(seconds=...)` overflowed for
# `timeouts.connection: 1e29`, a timedelta holds no more than 1e9 days) and what asyncio sleeps.
MAX_SECONDS = 365 * 24 * 3600
Seconds = Annotated[float, Constraints(gt=0, le=MAX_SECONDS)]
WholeSeconds = Annotated[int, Constraints(ge=1, le=MAX_SECONDS)]
"""Seconds where nautilus' or IB's config takes an int (the IB clients' timeouts)."""
SecondsOrZero = Annotated[float, Constraints(ge=0, le=MAX_SECONDS)]
ImportPath = Annotated[
    str,
    Constraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"),
    JsonSchemaExtra({"description": "An importable `package.module:ClassName` path."}),
]
