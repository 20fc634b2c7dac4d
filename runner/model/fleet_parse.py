"""Plain fleet data → the `Fleet` model, by pydantic-core on the stored core schema (as
`runner.model.parse` does for specs: no pydantic import on this path)."""

from __future__ import annotations

import os
from typing import Any

from runner.model.fleet import Fleet
from runner.model.parse import stored_validator

FLEET_CORE_SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "fleet.core-schema.json")


def parse_fleet(data: Any) -> Fleet:
    """Validate `data` (a mapping from YAML) into a Fleet; raises pydantic_core.ValidationError."""
    fleet: Fleet = stored_validator(FLEET_CORE_SCHEMA_FILE).validate_python(data)
    return fleet
