"""Plain spec data → the `Spec` model, by pydantic-core's validator on the stored core schema.

pydantic itself is not imported here: it wrote `spec.core-schema.json` from the model ahead of
time (`runner.model.schema`), and building the validator from it takes a millisecond where
importing pydantic and generating it would take about 0.1 s. Errors are pydantic-core's
`ValidationError`, exactly as pydantic would raise them.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import import_module
from typing import Any

from pydantic_core import SchemaValidator

from runner.model.spec import Spec

CORE_SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "spec.core-schema.json")
# In the stored schema, `{"$py": "module:name"}` stands for a class or function of the model.
REFERENCE = "$py"


def parse_spec(data: Any) -> Spec:
    """Validate `data` (a mapping from YAML) into a Spec; raises pydantic_core.ValidationError."""
    spec: Spec = stored_validator(CORE_SCHEMA_FILE).validate_python(data)
    return spec


@cache
def stored_validator(core_schema_file: str) -> SchemaValidator:
    """pydantic-core's validator for a core schema `runner.model.schema` stored (built once)."""
    with open(core_schema_file, encoding="utf-8") as handle:
        return SchemaValidator(json.load(handle, object_hook=_resolve))


def _resolve(node: dict[str, Any]) -> Any:
    target = node.get(REFERENCE)
    if target is None:
        return node
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)
