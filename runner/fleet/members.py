"""What every engine needs to know about a member, whatever the target: its spec files as the
container sees them, the variables they read, and the `ibrun` command line it runs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.fleet.wiring import Hosts, member_overrides

if TYPE_CHECKING:
    from runner.model.fleet import Fleet
    from runner.validation.loaded_fleet import LoadedMember

SPEC_ROOT = "/etc/ibrun/spec"
STATE_DIR = "/var/lib/ibrun"
# `${NAME…}` and `$NAME` as runner.loading.interpolate reads them (`$$` is a literal dollar).
_VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
# YAML comments are not interpolated (`# yaml-language-server: $schema=...`).
_COMMENT = re.compile(r"(?:^|[ \t])#.*$", re.MULTILINE)


@dataclass(frozen=True)
class SpecFile:
    source: Path
    """As read (relative to the working directory, or absolute)."""
    relative: str
    """Below SPEC_ROOT in the container, '/'-separated."""
    text: str


@dataclass(frozen=True)
class MemberFiles:
    entry: str
    """The member's spec in the container (what `ibrun run` is given)."""
    files: tuple[SpecFile, ...]
    variables: tuple[str, ...]
    """Environment variables the files interpolate, sorted."""

    @property
    def one_directory(self) -> bool:
        return all("/" not in file.relative for file in self.files)


def member_files(loaded: LoadedMember) -> MemberFiles:
    """The spec and the files it extends, laid out below SPEC_ROOT as they are relative to each
    other (so `extends: ../base.yaml` resolves the same in the container)."""
    sources = sorted(dict.fromkeys(os.path.normpath(source) for source in loaded.sources))
    root = os.path.commonpath([os.path.dirname(os.path.abspath(source)) for source in sources])
    files = []
    for source in sources:
        text = Path(source).read_text(encoding="utf-8")
        relative = Path(os.path.relpath(os.path.abspath(source), root)).as_posix()
        files.append(SpecFile(Path(source), relative, text))
    entry_relative = Path(os.path.relpath(os.path.abspath(loaded.path), root)).as_posix()
    names = {
        match.group(1) or match.group(2) for file in files for match in _VARIABLE.finditer(_COMMENT.sub("", file.text))
    }
    return MemberFiles(f"{SPEC_ROOT}/{entry_relative}", tuple(files), tuple(sorted(name for name in names if name)))


def node_arguments(fleet: Fleet, loaded: LoadedMember, hosts: Hosts, entry: str) -> list[str]:
    """`ibrun` arguments of the member's node: run its spec with the member's overrides and the
    fleet's wiring, no live table (logs to the engine), `--confirm-live` only where confirmed."""
    arguments = ["run", entry, "--no-status"]
    for assignment in (*loaded.member.set, *member_overrides(fleet, loaded.member, hosts)):
        arguments += ["--set", assignment]
    if loaded.member.confirm_live:
        arguments.append("--confirm-live")
    return arguments


def monitoring_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"
