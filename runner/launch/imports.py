"""Import every strategy/actor (and its config class) up front: a clear error, no node involved."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from runner.errors import ImportFailed
from runner.launch.plan import ComponentRef


def extend_sys_path(base_dir: Path) -> None:
    """Make user modules importable the way `python -m` would: cwd first, then the spec's dir."""
    for entry in (Path.cwd(), base_dir.resolve()):
        text = str(entry)
        if text not in sys.path:
            sys.path.insert(0, text)


def check_components(components: tuple[ComponentRef, ...]) -> None:
    """Import each `module:Class` of node.strategies/actors; raise ImportFailed on the first miss."""
    for component in components:
        _resolve(component.path, f"{component.where}.path", component.kind)
        _resolve(component.config_path, f"{component.where}.config_path", f"{component.kind} config")


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
