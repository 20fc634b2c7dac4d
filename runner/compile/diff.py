"""The difference between two rendered configs, as JSON-path changes or a unified diff.

Works on documents from :func:`runner.compile.render.node_document`, compared unmasked so that a changed
account id still counts; masking is applied to the *displayed* values only.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

from runner.compile.canonical import SET_KEYS, Document
from runner.model.secrets import MASK, is_secret_key, mask_secrets

DiffFormat = Literal["text", "json", "unified"]
ChangeKind = Literal["changed", "added", "removed"]

_ABSENT = object()
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Change:
    """One difference at ``path``. For set-valued lists, one change per element added/removed."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None


def diff_documents(old: Document, new: Document) -> list[Change]:
    return list(_diff(old, new, "$", None))


def _diff(old: Any, new: Any, path: str, key: str | None) -> Iterator[Change]:
    if isinstance(old, dict) and isinstance(new, dict):
        for name in list(old) + [name for name in new if name not in old]:
            yield from _diff_entry(old.get(name, _ABSENT), new.get(name, _ABSENT), path, name)
    elif isinstance(old, list) and isinstance(new, list) and key in SET_KEYS:
        yield from _diff_set(old, new, path)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            yield from _diff(old_item, new_item, f"{path}[{index}]", None)
    elif old != new:
        yield Change(path, "changed", old, new)


def _diff_entry(old: Any, new: Any, path: str, name: str) -> Iterator[Change]:
    child = f"{path}.{name}" if _PLAIN_KEY.match(name) else f"{path}[{json.dumps(name)}]"
    if old is _ABSENT:
        yield Change(child, "added", new=new)
    elif new is _ABSENT:
        yield Change(child, "removed", old=old)
    else:
        yield from _diff(old, new, child, name)


def _diff_set(old: list[Any], new: list[Any], path: str) -> Iterator[Change]:
    # Frozensets in nautilus: report members, not positions (which only reflect sort order).
    for item in old:
        if item not in new:
            yield Change(path, "removed", old=item)
    for item in new:
        if item not in old:
            yield Change(path, "added", new=item)


def mask_change(change: Change) -> Change:
    """Hide secret values in a change (the change itself stays visible)."""
    leaf = re.split(r"[.\[]", change.path)[-1].strip('"]')
    if not is_secret_key(leaf):  # a whole section added or removed: its secrets masked inside
        return Change(change.path, change.kind, mask_secrets(change.old), mask_secrets(change.new))
    return Change(
        change.path,
        change.kind,
        MASK if change.old is not None else None,
        MASK if change.new is not None else None,
    )


def format_text(changes: list[Change]) -> str:
    """`$.exec_clients.INTERACTIVE_BROKERS.ibg_port: 7497 → 4001`, one line per change."""
    return "".join(f"{format_change(change)}\n" for change in changes)


def format_change(change: Change) -> str:
    if change.kind == "changed":
        line = f"{change.path}: {_show(change.old)} → {_show(change.new)}"
        if change.path.endswith(".market_data_type"):
            # nautilus encodes ibapi's MarketDataTypeEnum as its int; name it for the reader.
            line += f"  ({_market_data_type(change.old)} → {_market_data_type(change.new)})"
        return line
    sign, value = ("+", change.new) if change.kind == "added" else ("-", change.old)
    return f"{change.path}: {sign} {_show(value)}"


def _market_data_type(value: Any) -> str:
    from runner.compile.compiler import MARKET_DATA_TYPES

    names = {number: name for name, number in MARKET_DATA_TYPES.items()}
    return names.get(value, str(value))


def _show(value: Any) -> str:
    return value if value == MASK else json.dumps(value, ensure_ascii=False, sort_keys=True)


def format_json(changes: list[Change]) -> str:
    return json.dumps([asdict(change) for change in changes], indent=2, ensure_ascii=False) + "\n"


def format_unified(old: Document, new: Document, old_name: str, new_name: str) -> str:
    """A unified diff of both documents as key-sorted, indented JSON."""
    old_lines = (json.dumps(old, indent=2, sort_keys=True) + "\n").splitlines(keepends=True)
    new_lines = (json.dumps(new, indent=2, sort_keys=True) + "\n").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, new_lines, old_name, new_name))
