"""The simulator's layers, read from its source (any import, also one inside a function): the
world never imports the protocol, the handlers or sessions; the protocol never imports handlers,
sessions or the server. (No import cycle anywhere: tests/test_import_graph.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import runner.sim

ROOT = Path(runner.sim.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in ROOT.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """runner.sim modules `name` imports (`from pkg import module` counts as the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _importers_of(prefix: str, within: str) -> dict[str, set[str]]:
    return {
        name: {m for m in imports if m.startswith(prefix)}
        for name, imports in GRAPH.items()
        if name.startswith(within) and any(m.startswith(prefix) for m in imports)
    }


def test_the_world_knows_nothing_of_the_wire():
    assert _importers_of("runner.sim.protocol", "runner.sim.world") == {}
    assert _importers_of("runner.sim.handlers", "runner.sim.world") == {}
    assert _importers_of("runner.sim.session", "runner.sim.world") == {}


def test_the_protocol_knows_no_handlers_or_sessions():
    assert _importers_of("runner.sim.handlers", "runner.sim.protocol") == {}
    assert _importers_of("runner.sim.session", "runner.sim.protocol") == {}
    assert _importers_of("runner.sim.server", "runner.sim.protocol") == {}


def test_the_walk_sees_imports():  # the checks above would pass vacuously on an empty graph
    assert "runner.sim.world.market" in GRAPH["runner.sim.world.history"]
    assert "runner.sim.handlers.routes" in GRAPH["runner.sim.server"]
