"""Rendered documents in a canonical form (no nautilus import: `ibrun diff` of fleets uses it)."""

from __future__ import annotations

import json
from typing import Any

Document = dict[str, Any]

# Keys whose JSON arrays are nautilus frozensets: their order carries no meaning.
SET_KEYS = frozenset({"load_ids", "load_contracts", "filter_sec_types", "venues"})


def canonical(value: Any, key: str | None = None) -> Any:
    """Sort set-valued lists (by their compact JSON) so equal configs give equal documents."""
    if isinstance(value, dict):
        return {name: canonical(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        if key in SET_KEYS:
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    return value
