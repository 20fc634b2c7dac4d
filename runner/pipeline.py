"""load → interpolate/merge → validate → model → semantic checks, for one spec file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from runner.model import Spec
from runner.options import LoadOptions


@dataclass(frozen=True)
class LoadedSpec:
    spec: Spec
    path: Path
    base_dir: Path
    sources: tuple[Path, ...]


def load_spec(path: Path | str, options: LoadOptions | None = None) -> LoadedSpec:
    # Provisional: replaced by the position-keeping loader (same signature).
    path = Path(path)
    spec = Spec.model_validate(yaml.safe_load(path.read_text()))
    return LoadedSpec(spec, path, path.parent, (path,))
