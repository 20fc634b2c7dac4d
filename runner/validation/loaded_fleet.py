"""A fleet file after validation: the fleet and each member with its valid spec (what
`runner.validation.fleet` produces and the fleet checks, exports and diff read)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.loading.document import Positions
from runner.model import Spec
from runner.model.fleet import Fleet, Member


@dataclass(frozen=True)
class LoadedMember:
    """A member whose spec is valid with its overrides and the fleet's wiring."""

    member: Member
    index: int
    path: Path
    """The member's spec file as the fleet names it (relative to the working directory)."""
    spec: Spec
    sources: tuple[str, ...]
    """The spec file and every file it extends, as read."""
    written: dict[str, Any]
    positions: Positions


@dataclass(frozen=True)
class LoadedFleet:
    fleet: Fleet
    path: Path
    members: tuple[LoadedMember, ...]
    positions: Positions
    sources: tuple[str, ...]
