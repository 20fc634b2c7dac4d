"""No import cycle inside the `runner` package (the house rule: data flows one way).

Every module is parsed with `ast`; an import anywhere in it counts — at module level, or inside a
function, which still makes a runtime cycle (one hidden until the function runs). Imports under
`if TYPE_CHECKING:` are not run and do not count. Dynamic imports (`importlib.import_module`,
as in `runner/launch/__init__.py`'s lazy attributes) are not seen.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Edge:
    line: int
    in_function: bool


@dataclass
class ImportGraph:
    """Module → imported module → where (the first import of it in the file)."""

    edges: dict[str, dict[str, Edge]] = field(default_factory=dict)

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected component that has one, as a closed module list."""
        return [self._cycle_in(component) for component in self._components() if self._is_cyclic(component)]

    def describe(self, cycle: list[str]) -> str:
        steps = [cycle[0]]
        for source, target in itertools.pairwise(cycle):
            edge = self.edges[source][target]
            where = " (inside a function)" if edge.in_function else ""
            steps.append(f"{target}   [line {edge.line} of {source}{where}]")
        return "\n  → ".join(steps)

    def internal_edges(self, modules: set[str]) -> set[tuple[str, str]]:
        return {(s, t) for s in modules for t in self.edges.get(s, {}) if t in modules}

    def _is_cyclic(self, component: set[str]) -> bool:
        return len(component) > 1 or any(m in self.edges.get(m, {}) for m in component)

    def _components(self) -> Iterator[set[str]]:
        """Tarjan's strongly connected components."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[set[str]] = []

        def visit(module: str) -> None:
            index[module] = low[module] = len(index)
            stack.append(module)
            on_stack.add(module)
            for target in self.edges.get(module, {}):
                if target not in index:
                    visit(target)
                    low[module] = min(low[module], low[target])
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                found.append(component)

        for module in sorted(self.edges):
            if module not in index:
                visit(module)
        return iter(found)

    def _cycle_in(self, component: set[str]) -> list[str]:
        """The shortest way from the component's first module back to itself (breadth-first)."""
        start = min(component)
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following = []
            for module in frontier:
                for target in sorted(self.edges.get(module, {})):
                    if target == start:
                        path = [module]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return [*reversed(path), start]
                    if target in component and target not in previous:
                        previous[target] = module
                        following.append(target)
            frontier = following
        raise AssertionError(f"no cycle in component {component}")


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def build_graph(root: Path, package: str) -> ImportGraph:
    files = {module_name(root, path): path for path in sorted((root / package).rglob("*.py"))}
    graph = ImportGraph({name: {} for name in files})
    for name, path in files.items():
        collector = _ImportCollector(name, path.name == "__init__.py", package, set(files))
        collector.visit(ast.parse(path.read_text(), str(path)))
        graph.edges[name] = collector.found
    return graph


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, package: str, modules: set[str]) -> None:
        self.package_of_module = module if is_package else module.rpartition(".")[0]
        self.package = package
        self.modules = modules
        self.module = module
        self.depth = 0  # > 0 inside a function
        self.found: dict[str, Edge] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package_of_module.split(".")
            base = base[: len(base) - (node.level - 1)]
            source = ".".join([*base, *([node.module] if node.module else [])])
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            self._add(submodule if submodule in self.modules else source, node)

    def _add(self, name: str, node: ast.stmt) -> None:
        if name != self.package and not name.startswith(self.package + "."):
            return
        while name not in self.modules and "." in name:  # `import a.b.c` where c is an attribute
            name = name.rpartition(".")[0]
        if name != self.module:  # a module naming itself imports nothing new
            self.found.setdefault(name, Edge(node.lineno, self.depth > 0))


def test_runner_has_no_import_cycle() -> None:
    graph = build_graph(ROOT, "runner")
    assert {"runner.cli.entry", "runner.sim.handlers.streams"} <= set(graph.edges)  # the walk found the package
    cycles = graph.cycles()
    assert not cycles, "import cycles in runner:\n" + "\n".join(graph.describe(c) for c in cycles)


# --- the walker itself ----------------------------------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_walker_finds_module_and_function_level_cycles_and_ignores_type_checking(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "def later():\n    from .sub import c\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "import pkg.a\n",
            "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import e\n",
            "pkg/e.py": "from pkg.d import something\nimport os\n",
        },
    )
    graph = build_graph(tmp_path, "pkg")
    assert graph.edges["pkg.b"] == {"pkg.sub.c": Edge(2, in_function=True)}
    assert graph.edges["pkg.d"] == {}
    assert graph.cycles() == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]
    assert "pkg.sub.c   [line 2 of pkg.b (inside a function)]" in graph.describe(graph.cycles()[0])
