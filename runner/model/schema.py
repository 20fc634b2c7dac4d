"""The JSON Schema (2020-12) of a spec, generated from the model — never written by hand.

`schemas/ibrun-spec.schema.json` is this output, committed so editors can use it through
`# yaml-language-server: $schema=…`; `tests/validation/test_schema.py` fails when it is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from runner.model import Spec

SCHEMA_FILE = "ibrun-spec.schema.json"
SCHEMA_ID = "https://ibrun.dev/schemas/ibrun-spec.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        result = super().generate(schema, mode=mode)
        return {"$schema": DIALECT, "$id": SCHEMA_ID, **result}


def build_schema() -> dict[str, Any]:
    return Spec.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=False) + "\n"


def write_schema(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / SCHEMA_FILE
    target.write_text(render_schema(), encoding="utf-8")
    return target
