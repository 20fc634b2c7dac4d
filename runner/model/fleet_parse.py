"""Plain fleet data → the `Fleet` model, by pydantic-core on the stored core schema (as
`runner.model.parse` does for specs: no pydantic import on this path)."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from pydantic_core import SchemaValidator

from runner.model.fleet import Fleet
from runner.model.parse import _resolve

FLEET_CORE_SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "fleet.core-schema.json")


def parse_fleet(data: Any) -> Fleet:
    """Validate `data` (a mapping from YAML) into a Fleet; raises pydantic_core.ValidationError."""
    fleet: Fleet = _validator().validate_python(data)
    return fleet


@cache
def _validator() -> SchemaValidator:
    with open(FLEET_CORE_SCHEMA_FILE, encoding="utf-8") as handle:
        return SchemaValidator(json.load(handle, object_hook=_resolve))
