"""A fleet as one document for `ibrun diff`: what each member runs (its spec after overrides and
wiring), on which gateway, with what images, resources and Redis. No nautilus import, so 50
members diff in well under a second."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from runner.fleet.members import member_files, node_arguments
from runner.fleet.wiring import compose_hosts
from runner.model.secrets import mask_secrets
from runner.validation.loaded_fleet import LoadedFleet

_KIND_FLEET = re.compile(rb"^kind[ \t]*:[ \t]*[\"']?fleet[\"']?[ \t]*(#.*)?\r?$", re.MULTILINE)


def looks_like_fleet(path: Path | str) -> bool:
    """A top-level `kind: fleet` (read cheaply: the first 64 KiB)."""
    try:
        with open(path, "rb") as handle:
            return _KIND_FLEET.search(handle.read(65536)) is not None
    except OSError:
        return False


def fleet_document(loaded: LoadedFleet, *, show_secrets: bool = False) -> dict[str, Any]:
    fleet = loaded.fleet
    members: dict[str, Any] = {}
    for member in loaded.members:
        files = member_files(member)
        members[member.member.name] = {
            "gateway": member.member.gateway,
            "confirm_live": member.member.confirm_live,
            "state": member.member.state,
            "resources": dataclasses.asdict(member.member.resources),
            "storage": member.member.storage,
            "command": node_arguments(fleet, member, compose_hosts(fleet), files.entry),
            "variables": list(files.variables),
            "spec": _plain(dataclasses.asdict(member.spec)),
        }
    document = {
        "name": fleet.name,
        "images": dataclasses.asdict(fleet.images),
        "redis": dataclasses.asdict(fleet.redis),
        "gateways": {name: _plain(dataclasses.asdict(gateway)) for name, gateway in fleet.gateways.items()},
        "members": members,
    }
    return document if show_secrets else mask_secrets(document)


def _plain(value: Any) -> Any:
    """JSON-like: attribute names as spec keys (`exec_` → `exec`), datetimes as text."""
    if isinstance(value, dict):
        return {key.rstrip("_"): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
