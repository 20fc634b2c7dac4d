"""`ibrun config`: the resolved spec as YAML for people — extends merged, variables interpolated,
`--set` applied, secrets masked — in the spec's own keys, each value commented with where it was
set: `# examples/environments/live.yaml:7`, `# --set`, or `# default` for what the model fills in.

Defaults that are unset (null or empty) are left out: they mean "not set, nautilus decides", and
the output validates back to the same spec without them. Written with ruamel.yaml, which keeps
comments and layout; specs are read with PyYAML's C composer (`runner.loading.yamlfile`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from runner.errors import Location, SpecInvalid
from runner.loading.compose import assemble
from runner.loading.document import JsonPath, Positions
from runner.loading.options import LoadOptions
from runner.model import Spec
from runner.model.base import Frozen
from runner.model.keys import keys_of
from runner.model.secrets import MASK, is_revealing, is_secret_key
from runner.validation.pipeline import check_assembled, environment

DEFAULT = "default"
# Comments line up in one column, unless a line is longer (then one space after it).
_MAX_COLUMN = 56
# Strings YAML 1.1 readers (PyYAML, older tools) take for booleans: quoted, though ibrun reads
# YAML 1.2, where they are plain strings (`restart_policy: "no"`).
_YAML11_BOOLEANS = frozenset(
    word for base in ("y", "yes", "n", "no", "on", "off") for word in (base, base.capitalize(), base.upper())
)


@dataclass(frozen=True)
class ResolvedSpec:
    """A valid spec, the data it was validated from (extends merged, `--set` applied: what is not
    in it, the model filled in), where that was written, and the files it was read from."""

    spec: Spec
    written: dict[str, Any]
    positions: Positions
    sources: tuple[str, ...]


def resolve_spec(path: str, options: LoadOptions) -> ResolvedSpec:
    """The spec at `path` with its positions; raises SpecInvalid with every issue."""
    assembled = assemble(path, environment(options), options.sets, allow_extends=options.allow_extends)
    result = check_assembled(path, assembled)
    if result.spec is None or assembled.data is None:
        raise SpecInvalid(result.errors)
    return ResolvedSpec(result.spec, assembled.data, assembled.positions, assembled.sources)


def resolved_yaml(resolved: ResolvedSpec, path: str, *, show_secrets: bool = False) -> str:
    writer = _Writer(resolved, show_secrets)
    document = writer.section(resolved.spec, (), indent=0)
    writer.add_comments()
    bases = [source for source in resolved.sources if source != os.path.normpath(path)]
    header = f"ibrun config {path}" + (f" (extends {', '.join(bases)})" if bases else "")
    masked = "" if show_secrets else "; secrets masked"
    document.yaml_set_start_comment(f"{header}\nEach value says where it was set{masked}.")
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def origin(location: Location | None) -> str:
    """`file:line`, `--set` (or another `<source>`), or `default` when nothing set the value."""
    if location is None:
        return DEFAULT
    if location.file.startswith("<") and location.file.endswith(">"):
        return location.file[1:-1]
    return f"{location.file}:{location.line}"


class _Writer:
    """Builds the commented document; comments are added last, once their column is known."""

    def __init__(self, resolved: ResolvedSpec, show_secrets: bool) -> None:
        self.written = resolved.written
        self.positions = resolved.positions
        self.show_secrets = show_secrets
        self.comments: list[tuple[CommentedMap | CommentedSeq, str | int, str]] = []
        self.widest = 0

    def add_comments(self) -> None:
        column = min(self.widest + 2, _MAX_COLUMN)
        for container, key, text in self.comments:
            container.yaml_add_eol_comment(f"# {text}", key, column=column)

    def section(self, section: Frozen, path: JsonPath, indent: int) -> CommentedMap:
        document = CommentedMap()
        for key in keys_of(type(section)):
            value = getattr(section, key.attribute)
            where = self.where((*path, key.name))
            if where is None and _is_unset(value):
                continue
            self.put(document, key.name, value, (*path, key.name), indent, where)
            if where is None and document[key.name] == {}:
                del document[key.name]  # a default section with nothing set in it
                self.comments.pop()
        return document

    def mapping(self, mapping: dict[str, Any], path: JsonPath, indent: int) -> CommentedMap:
        document = CommentedMap()
        for name, value in mapping.items():
            self.put(document, name, value, (*path, name), indent, self.where((*path, name)))
        return document

    def put(
        self, document: CommentedMap, name: str, value: Any, path: JsonPath, indent: int, where: Location | None
    ) -> None:
        if is_secret_key(name) and is_revealing(value) and not isinstance(value, Frozen) and not self.show_secrets:
            value = MASK
        document[name] = self.node(value, path, indent + 2)
        self.comment(document, name, where, indent + len(name) + 2 + _width(document[name]))

    def node(self, value: Any, path: JsonPath, indent: int) -> Any:
        """`value` as ruamel data; `indent` is the column its nested lines start at."""
        if isinstance(value, Frozen):
            return self.section(value, path, indent)
        if isinstance(value, dict):
            return self.mapping(value, path, indent)
        if isinstance(value, list):
            return self.sequence(value, path, indent)
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, str) and value in _YAML11_BOOLEANS:
            return DoubleQuotedScalarString(value)
        return value

    def sequence(self, items: list[Any], path: JsonPath, indent: int) -> CommentedSeq:
        document = CommentedSeq()
        for index, item in enumerate(items):
            # a mapping item starts on the dash's line, two columns in
            document.append(self.node(item, (*path, index), indent + 2))
            if not isinstance(document[index], CommentedMap | CommentedSeq):
                self.comment(document, index, self.where((*path, index)), indent + 2 + _width(document[index]))
        return document

    def comment(
        self, container: CommentedMap | CommentedSeq, key: str | int, where: Location | None, width: int
    ) -> None:
        self.comments.append((container, key, origin(where)))
        self.widest = max(self.widest, width)

    def where(self, path: JsonPath) -> Location | None:
        """Where the value at `path` was written; None when the model filled it in."""
        if not _holds(self.written, path):
            return None
        # a key's own line (a block mapping or list starts on the next), else the value's, else
        # the closest enclosing value's (inside a value a --set wrote as a whole)
        return self.positions.keys.get(path) or self.positions.locate(path)


def _holds(data: Any, path: JsonPath) -> bool:
    for part in path:
        in_dict = isinstance(data, dict) and part in data
        if not in_dict and not (isinstance(data, list) and isinstance(part, int) and part < len(data)):
            return False
        data = data[part]
    return True


def _is_unset(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def _width(node: Any) -> int:
    """How far a scalar reaches on its line (nested mappings and lists start on the next one)."""
    if isinstance(node, CommentedMap | CommentedSeq):
        return 0 if node else 2
    return len(str(node)) + (2 if isinstance(node, str) else 0)


def _yaml() -> YAML:
    writer = YAML()
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = 4096  # one value, one line: a folded value would put its comment out of place
    writer.representer.add_representer(type(None), _null)
    return writer


def _null(representer: RoundTripRepresenter, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")
