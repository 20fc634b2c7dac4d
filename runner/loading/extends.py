"""Which files `extends:` may read, and how a chain of them is shown.

A spec can name any path in `extends:`, and an error in an extended file is reported with its
keys and values — so a spec from an untrusted pull request, validated in CI, could read
`/proc/self/environ` or `~/.aws/credentials` into the CI log. `extends:` is therefore confined
to the spec's project: the nearest enclosing git repository (a directory holding `.git`), else
the spec's own directory, both after resolving symbolic links; `--allow-extends DIR` (or
`IBRUN_ALLOW_EXTENDS`, directories separated by `:`) admits more. An extended file must also
look like a spec (`version: 1`, `extends:` or the schema line at the top, or only spec keys):
nothing of any other file is merged or echoed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

# A top-level `version: 1`, a top-level `extends:`, or the ibrun schema line (as `ibrun validate`
# recognises specs in directories; a compose file's `version: "3.8"` is not ibrun's).
SPEC_MARKER = re.compile(
    rb"""^(?:version[ \t]*:[ \t]*(?:1|"1"|'1')[ \t]*(?:\#.*)?\r?$|extends[ \t]*:)|ibrun-spec\.schema\.json""",
    re.MULTILINE,
)
ALLOW_OPTION = "--allow-extends DIR (or IBRUN_ALLOW_EXTENDS)"


def has_spec_marker(text: str | bytes) -> bool:
    return SPEC_MARKER.search(text.encode() if isinstance(text, str) else text) is not None


def project_root(spec_path: str) -> tuple[str, bool]:
    """The real path of the spec's git repository (True), else of its directory (False)."""
    directory = os.path.dirname(os.path.realpath(spec_path))
    here = directory
    while True:
        if os.path.exists(os.path.join(here, ".git")):  # a directory, or a worktree's file
            return here, True
        parent = os.path.dirname(here)
        if parent == here:
            return directory, False
        here = parent


@dataclass(frozen=True)
class ExtendsScope:
    """The directories `extends:` of one spec may read from."""

    spec_path: str
    allowed: tuple[str | os.PathLike[str], ...] = ()

    @cached_property
    def _root(self) -> tuple[str, bool]:
        # Found only when a spec extends something: most do not, and it costs a few stat calls.
        return project_root(self.spec_path)

    @cached_property
    def _roots(self) -> tuple[str, ...]:
        return (self._root[0], *(os.path.realpath(directory) for directory in self.allowed))

    def refusal(self, shown: str, real: str) -> str | None:
        """Why the file at `real` (written as `shown`) may not be read; None when it may."""
        if any(_inside(real, root) for root in self._roots):
            return None
        root, in_git = self._root
        where = "repository" if in_git else "directory"
        return (
            f"extended file {as_written(shown)} is outside the spec's {where} {root}: allow other directories"
            f" with {ALLOW_OPTION}"
        )


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Step:
    """One file of an extends chain: as written (normalised), and its real path."""

    shown: str

    @cached_property
    def real(self) -> str:
        # Resolved only when a spec extends something (a few lstat calls per path).
        return os.path.realpath(self.shown)

    def __str__(self) -> str:
        shown = as_written(self.shown)
        return f"{shown} (a link to {as_written(self.real)})" if os.path.islink(self.shown) else shown


def as_written(path: str) -> str:
    """A path from a spec as a message shows it: as written, or quoted with escapes (`repr`)
    when it holds a newline or another character a terminal would not show as itself, so that
    a message stays one line (`extends: "a\\nb"`)."""
    return path if path.isprintable() else repr(path)


def cycle_text(chain: Iterable[Step], again: Step) -> str:
    """`a.yaml → b.yaml (a link to a.yaml)`: the chain from the first file `again` is."""
    steps = list(chain)
    first = next(i for i, step in enumerate(steps) if step.real == again.real)
    return " → ".join(str(step) for step in (*steps[first:], again))
