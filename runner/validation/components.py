"""Import every strategy/actor (and its config class) up front: a clear error, no node involved."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from runner.errors import ImportFailed

if TYPE_CHECKING:
    from runner.model import Spec


def extend_sys_path(base_dir: Path) -> None:
    """Make user modules importable the way `python -m` would: cwd first, then the spec's dir."""
    for entry in (Path.cwd(), base_dir.resolve()):
        text = str(entry)
        if text not in sys.path:
            sys.path.insert(0, text)


def check_components(spec: Spec) -> None:
    """Import each `module:Class` of node.strategies/actors; raise ImportFailed on the first miss."""
    for kind, section, components in (
        ("strategy", "strategies", spec.node.strategies),
        ("actor", "actors", spec.node.actors),
        ("execution algorithm", "exec_algorithms", spec.node.exec_algorithms),
    ):
        for index, component in enumerate(components):
            where = f"node.{section}[{index}]"
            _resolve(component.path, f"{where}.path", kind)
            _resolve(component.resolved_config_path, f"{where}.config_path", f"{kind} config")


def _resolve(path: str, where: str, kind: str) -> type:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportFailed(
            f"{where}: cannot import {kind} module {module_name!r} (from {path!r}): {type(error).__name__}: {error}"
        ) from error
    except Exception as error:  # a module that raises while importing
        raise ImportFailed(
            f"{where}: importing {kind} module {module_name!r} raised {type(error).__name__}: {error}"
        ) from error
    try:
        return getattr(module, attr)
    except AttributeError as error:
        raise ImportFailed(
            f"{where}: module {module_name!r} ({getattr(module, '__file__', '?')}) has no {kind} class {attr!r}"
        ) from error
