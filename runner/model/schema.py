"""The two schemas pydantic writes from the model — never by hand, both committed:

- `schemas/ibrun-spec.schema.json`, the JSON Schema (2020-12) editors use through
  `# yaml-language-server: $schema=…`;
- `runner/model/spec.core-schema.json`, the pydantic-core schema specs are validated with
  (`runner.model.parse`), so that no run-time path builds it (about 0.1 s of imports and work).

`uv run just schemas` rewrites both; tests fail while either is stale. This is the one module
that imports pydantic itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from runner.model.fleet import Fleet
from runner.model.fleet_parse import FLEET_CORE_SCHEMA_FILE
from runner.model.parse import CORE_SCHEMA_FILE, REFERENCE
from runner.model.spec import Spec

SCHEMA_FILE = "ibrun-spec.schema.json"
SCHEMA_ID = "https://ibrun.dev/schemas/ibrun-spec.schema.json"
FLEET_SCHEMA_FILE = "ibrun-fleet.schema.json"
FLEET_SCHEMA_ID = "https://ibrun.dev/schemas/ibrun-fleet.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    schema_id = SCHEMA_ID

    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        result = super().generate(schema, mode=mode)
        return {"$schema": DIALECT, "$id": self.schema_id, **result}

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        # Dataclass fields need `default_factory=list` where a model wrote `= []`; editors should
        # still show the empty default (nested sections keep none, as before).
        factory = schema.get("default_factory")
        if factory is list or factory is dict:
            shown: dict[str, Any] = {key: value for key, value in schema.items() if key != "default_factory"}
            schema = {**shown, "default": factory()}  # type: ignore[typeddict-item]
        return super().default_schema(schema)


class _FleetGenerator(_Generator):
    schema_id = FLEET_SCHEMA_ID


def build_schema() -> dict[str, Any]:
    return TypeAdapter(Spec).json_schema(by_alias=True, mode="validation", schema_generator=_Generator)


def build_fleet_schema() -> dict[str, Any]:
    return TypeAdapter(Fleet).json_schema(by_alias=True, mode="validation", schema_generator=_FleetGenerator)


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=False) + "\n"


def render_fleet_schema() -> str:
    return json.dumps(build_fleet_schema(), indent=2, sort_keys=False) + "\n"


def write_schema(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / SCHEMA_FILE
    target.write_text(render_schema(), encoding="utf-8")
    return target


def write_fleet_schema(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / FLEET_SCHEMA_FILE
    target.write_text(render_fleet_schema(), encoding="utf-8")
    return target


def render_core_schema(root: type = Spec) -> str:
    """The validator's core schema as JSON: classes and functions by import path, definition
    refs by name (pydantic's carry object ids), no metadata or serialization (validation only)."""
    return json.dumps(_portable(TypeAdapter(root).core_schema), indent=1, sort_keys=True) + "\n"


def write_core_schema(target: Path = Path(CORE_SCHEMA_FILE), root: type = Spec) -> Path:
    target.write_text(render_core_schema(root), encoding="utf-8")
    return target


def _portable(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _stable_ref(item) if key in ("ref", "schema_ref") else _portable(item)
            for key, item in value.items()
            if key not in ("metadata", "serialization")
        }
    if isinstance(value, (list, tuple)):
        return [_portable(item) for item in value]
    if callable(value):
        name = f"{value.__module__}:{value.__qualname__}"
        if "<" in name:
            raise TypeError(f"the core schema refers to {name}: give it a module-level name")
        return {REFERENCE: name}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store {value!r} in the core schema")


def _stable_ref(ref: str) -> str:
    return ref.partition(":")[0]


if __name__ == "__main__":
    print(f"wrote {write_schema(Path('schemas'))}\nwrote {write_core_schema()}")
    print(f"wrote {write_fleet_schema(Path('schemas'))}")
    print(f"wrote {write_core_schema(Path(FLEET_CORE_SCHEMA_FILE), Fleet)}")
