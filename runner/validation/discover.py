"""Turn `ibrun validate` arguments (files, directories, globs) into spec files to check."""

from __future__ import annotations

import glob
import os
import re

from runner.errors import UsageError

_YAML_SUFFIXES = (".yaml", ".yml")
# Inside directories, only files that say they are ibrun specs are checked, so a repository's
# other YAML (CI workflows, sim universes) can live beside them. Named files are always checked.
_SPEC_MARKER = re.compile(rb"^(version|extends)\s*:|ibrun-spec\.schema\.json", re.MULTILINE)


def discover(arguments: tuple[str, ...]) -> list[str]:
    files: list[str] = []
    for argument in arguments:
        files.extend(_expand(argument))
    return list(dict.fromkeys(files))


def _expand(argument: str) -> list[str]:
    if os.path.isdir(argument):
        return _directory_specs(argument)
    if os.path.exists(argument):
        return [argument]
    if glob.has_magic(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        if not matches:
            raise UsageError(f"{argument}: the pattern matches no file")
        return [m for path in matches for m in (_directory_specs(path) if os.path.isdir(path) else [path])]
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
        with open(path, "rb") as handle:
            return _SPEC_MARKER.search(handle.read(65536)) is not None
    except OSError:
        return True  # let the loader report the unreadable file
