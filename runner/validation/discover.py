"""Turn `ibrun validate` arguments (files, directories, globs) into spec files to check."""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field

from runner.errors import UsageError
from runner.loading.extends import has_spec_marker

_YAML_SUFFIXES = (".yaml", ".yml")
# Inside directories, only files that say they are ibrun specs are checked, so a repository's
# other YAML (CI workflows, docker-compose files, sim universes) can live beside them: a
# top-level `version: 1` (a compose file's `version: "3.8"` is not ibrun's), a top-level
# `extends:` (an overlay), or the ibrun schema line (runner.loading.extends.SPEC_MARKER). Named
# files are checked unless asked to skip non-specs (pre-commit names every YAML file it sees).
_MARKER_WINDOW = 65536
NOT_A_SPEC = "not an ibrun spec (no top-level 'version: 1' or 'extends:', no ibrun schema line)"


@dataclass(frozen=True)
class Discovered:
    """The spec files to check, and named files skipped because they do not look like specs."""

    files: list[str]
    skipped: list[str] = field(default_factory=list)


def discover(arguments: tuple[str, ...], *, skip_non_specs: bool = False) -> Discovered:
    files: list[str] = []
    skipped: list[str] = []
    for argument in arguments:
        for path, named in _expand(argument):
            if named and skip_non_specs and not _looks_like_spec(path):
                skipped.append(path)
            else:
                files.append(path)
    return Discovered(list(dict.fromkeys(files)), list(dict.fromkeys(skipped)))


def _expand(argument: str) -> list[tuple[str, bool]]:
    """(path, named): files named or matched by a glob, or specs found in a directory."""
    if os.path.isdir(argument):
        return [(path, False) for path in _directory_specs(argument)]
    if os.path.exists(argument):
        return [(argument, True)]
    if glob.has_magic(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        if not matches:
            raise UsageError(f"{argument}: the pattern matches no file")
        return [found for path in matches for found in _expand(path)]
    raise UsageError(f"{argument}: no such file or directory")


def _directory_specs(directory: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith(_YAML_SUFFIXES) and _looks_like_spec(os.path.join(root, name)):
                found.append(os.path.join(root, name))
    return found


def _looks_like_spec(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block
    except OSError:
        return True  # let the loader report the unreadable file
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return True  # let the loader say what it is
    with os.fdopen(fd, "rb") as handle:
        return has_spec_marker(handle.read(_MARKER_WINDOW))
