"""Options shared by every command that reads a spec (filled by the click layer)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LoadOptions:
    """How to turn spec files into a model: extra env file, `--set` overrides, the environment,
    and directories beyond the spec's project that `extends:` may read (runner.loading.extends)."""

    env_file: Path | None = None
    sets: tuple[str, ...] = ()
    allow_extends: tuple[Path, ...] = ()
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
