"""Parse one YAML file with libyaml (C) into plain data, recording where each value was written.

PyYAML's C composer gives every node its line/column at C speed; the tree is then walked once
here to build plain dicts/lists, record positions, interpolate variables (and which ones each
value came from), and refuse what YAML would silently accept (duplicate keys, non-string keys,
alias bombs, nesting too deep for later stages, control characters, numbers too long to read).
Scalars resolve with the YAML 1.2 core schema, as docker compose does: `on`/`no` stay strings and
`1:30` is not 90.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

import yaml

from runner.errors import Location
from runner.loading.document import Document, JsonPath, Positions
from runner.loading.files import MAX_SPEC_BYTES, FileRefused, read_text
from runner.loading.interpolate import expand

MAX_FILE_BYTES = MAX_SPEC_BYTES
# An alias bomb ("billion laughs") is small text that expands to huge data: cap the number of
# nodes a document may expand to, counting every alias use in full.
MAX_NODES = 200_000
# Mappings and lists nested deeper than this are refused (the root mapping is level 1). Later
# stages walk the data recursively (the compiler, JSON and pickle in the run's start-up handoff,
# pydantic-core): a spec nested 600 levels deep validated and then crashed them. No real config
# comes near it.
MAX_DEPTH = 64
# libyaml's composer recurses in C, once per level and beyond Python's recursion limit: some
# 30,000 levels overflow the C stack (a crash, not an exception). A text that could nest deeper
# than this is scanned event by event first; a level needs one of `[{-:?`, so counting them
# bounds the depth, and a real spec (a few hundred of them) is not scanned.
_SCAN_ABOVE = 1000
# Control characters (C0 and C1, DEL) in a string, other than tab and newline: YAML refuses them
# written raw, but a double-quoted escape (`"DEMO-TRADER\0-001"`), a `${VAR}` or a `--set` still
# brings them in — a NUL cut that trader id to `DEMO-TRADER` in nautilus, an escape sequence
# reaches terminals and logs. Keys may hold none at all.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
KEY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_C0_NAMES = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI"),
    *("DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)


class SpecLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml parser with YAML 1.2 core-schema implicit types."""


SpecLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^<<$", "<"),
]:
    SpecLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), list(_first))

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class YamlError(Exception):
    """A problem with the file itself; carries the location and a user-facing message."""

    def __init__(self, location: Location, message: str, path: JsonPath = (), rule: str = "yaml") -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.path = path
        self.rule = rule


def read_document(path: str, environ: Mapping[str, str] | None = None) -> tuple[Document, list[YamlError]]:
    """Load `path`, interpolating `${VAR}` from `environ` (None: no interpolation). Problems
    with one value (interpolation, control characters) are collected; problems with the file
    raise YamlError."""
    return parse_document(path, _read_text(path), environ)


def parse_document(path: str, text: str, environ: Mapping[str, str] | None = None) -> tuple[Document, list[YamlError]]:
    """`read_document` of `text`, already read from `path` (see runner.loading.files)."""
    try:
        _check_nesting(path, text)
        root = yaml.compose(text, Loader=SpecLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(path, text, exc) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(_offset_location(path, text, exc.position), _reader_message(exc)) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        raise YamlError(Location(path, 1, 1), "the file is empty: expected a mapping with 'version: 1'")
    builder = _TreeBuilder(path, environ)
    try:
        data = builder.build(root, ())
    except yaml.MarkedYAMLError as exc:  # e.g. an unknown tag such as !!python/object
        raise _syntax_error(path, text, exc) from None
    if not isinstance(data, dict):
        raise YamlError(builder.positions.values[()], "expected a mapping at the top of the file")
    return Document(data, builder.positions, path), builder.problems


def _read_text(path: str) -> str:
    try:
        return read_text(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise YamlError(Location(path, exc.line, exc.col), f"file {exc}") from None


def parse_value(text: str, depth: int) -> Any:
    """A value written as YAML (a `--set` value such as `[A, B]`) for a place `depth` levels
    down a spec: typed, checked and limited as in a spec file. Problems raise YamlError, located
    in `text` (file `<value>`)."""
    source = "<value>"
    try:
        _check_nesting(source, text, depth)
        root = yaml.compose(text, Loader=SpecLoader)
        builder = _TreeBuilder(source, None, depth)
        value = None if root is None else builder.build(root, ())
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(source, text, exc) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(_offset_location(source, text, exc.position), _reader_message(exc)) from None
    if builder.problems:
        raise builder.problems[0]
    return value


def _check_nesting(path: str, text: str, depth: int = 0) -> None:
    """Refuse nesting deeper than MAX_DEPTH before composing, when the text could hold it."""
    if len(text) <= _SCAN_ABOVE or sum(text.count(c) for c in "[{-:?") <= _SCAN_ABOVE:
        return
    for event in yaml.parse(text, Loader=SpecLoader):  # events: libyaml keeps its own stack
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(_mark_location(path, event.start_mark), too_deep())
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    return f"invalid YAML: character {exc.character!r} is not allowed"


def control_character(text: str, pattern: re.Pattern[str] = CONTROL) -> str | None:
    """A problem message when `text` holds a control character (tab and newline are allowed)."""
    found = pattern.search(text)
    if found is None:
        return None
    code = ord(found.group())
    name = _C0_NAMES[code] if code < 0x20 else "DEL" if code == 0x7F else "a C1 control"
    return f"control character U+{code:04X} ({name}) is not allowed in a spec"


def too_deep() -> str:
    return f"nesting deeper than {MAX_DEPTH} levels (mappings and lists)"


def _mark_location(path: str, mark: Any) -> Location:  # a yaml.Mark, or the C parser's
    return Location(path, mark.line + 1, mark.column + 1) if mark is not None else Location(path, 1, 1)


def _offset_location(path: str, text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    return Location(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _syntax_error(path: str, text: str, exc: yaml.MarkedYAMLError) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)
    problem = exc.problem or "invalid YAML"
    if (mark is not None and text[mark.index : mark.index + 1] == "\t") or "'\\t'" in problem:
        problem = "tab character: YAML indentation must use spaces"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    return YamlError(location, f"invalid YAML: {problem}")


class _TreeBuilder:
    """Walks a composed node tree once: data, positions, interpolation, strictness checks."""

    def __init__(self, path: str, environ: Mapping[str, str] | None, depth: int = 0) -> None:
        self.path = path
        self.environ = environ
        self.depth = depth  # levels above the root built here (a --set value's path)
        self.positions = Positions()
        self.problems: list[YamlError] = []
        self.nodes_seen = 0

    def location(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            raise YamlError(self.location(node), f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
        self.positions.values[path] = self.location(node)
        if isinstance(node, yaml.CollectionNode) and self.depth + len(path) >= MAX_DEPTH:
            raise YamlError(self.location(node), too_deep())  # aliases count expanded
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        explicit: dict[str, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self.merge_into(result, value_node, path)
                continue
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else _construct(key_node)
            if not isinstance(key, str):
                raise YamlError(self.location(key_node), f"keys must be strings, got {key!r}")
            if key_node.style == '"' and (problem := control_character(key, KEY_CONTROL)):
                self.problems.append(YamlError(self.location(key_node), f"key: {problem}", (*path, key), "control"))
            if key in explicit:
                message = f"duplicate key '{key}' (first defined at line {explicit[key].line})"
                raise YamlError(self.location(key_node), message)
            explicit[key] = self.positions.keys[(*path, key)] = self.location(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def merge_into(self, result: dict[str, Any], node: yaml.Node, path: JsonPath) -> None:
        """YAML merge keys (`<<: *base`): explicit keys win over merged ones."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            merged = self.build(source, path)
            if not isinstance(merged, dict):
                raise YamlError(self.location(source), "'<<' merge expects a mapping or a list of mappings")
            for key, value in merged.items():
                result.setdefault(key, value)

    def build_scalar(self, node: yaml.ScalarNode, path: JsonPath) -> Any:
        try:
            value = construct_scalar(node)
        except ValueError:
            raise self.too_long(node) from None
        if not isinstance(value, str):
            return value
        if self.environ is not None and "$" in value:
            try:
                value, names = expand(value, self.environ)
            except ValueError as exc:
                self.problems.append(YamlError(self.location(node), str(exc), path, "interpolation"))
                return value
            self.positions.variables[path] = names
            # A plain (unquoted) `port: ${PORT}` should become the number the variable holds,
            # as if it had been written there; quoted scalars stay strings.
            value = resolve_plain_scalar(value) if not node.style else value
        elif node.style != '"':
            return value  # only escapes and variables bring control characters in
        problem = control_character(value) if isinstance(value, str) else None
        if problem:
            self.problems.append(YamlError(self.location(node), problem, path, "control"))
        return value

    def scalar(self, node: yaml.ScalarNode) -> Any:
        """`construct_scalar`, for keys (values inline it: they are most of a spec's cost)."""
        try:
            return construct_scalar(node)
        except ValueError:
            raise self.too_long(node) from None

    def too_long(self, node: yaml.ScalarNode) -> YamlError:
        # Python reads no integer of more than 4,300 digits
        return YamlError(self.location(node), f"a number of more than {sys.get_int_max_str_digits()} digits")


def construct_scalar(node: yaml.ScalarNode) -> Any:
    # The core schema's common cases directly (they are most of a spec's cost to read); floats,
    # explicit tags (`!!bool yes`) and unknown ones (with its error) go to PyYAML's constructor.
    tag, text = node.tag, node.value
    if tag == _STR_TAG:
        return text
    if tag == _INT_TAG:
        # YAML 1.2: `012` is twelve (PyYAML would read YAML 1.1 octal), `0o12` is octal.
        base = 16 if text.startswith("0x") else 8 if text.startswith("0o") else 10
        return int(text[2:] if base != 10 else text, base)
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG and text in _BOOLEANS:
        return _BOOLEANS[text]
    if tag == _FLOAT_TAG and "inf" not in text.lower() and "nan" not in text.lower():
        return float(text)  # what PyYAML computes, minus its YAML 1.1 sexagesimals (no `:` in 1.2)
    return _construct(node)


def _construct(node: yaml.Node) -> Any:
    # A fresh constructor each time: PyYAML's keeps every node it constructed until the end of
    # a document, which for this one-node use is never.
    return yaml.SafeLoader("").construct_object(node)


def resolve_plain_scalar(text: str) -> Any:
    """Type `text` as if written unquoted in YAML (1.2 core schema)."""
    tag = SpecLoader.resolve(SpecLoader, yaml.ScalarNode, text, (True, False))  # type: ignore[arg-type]
    return construct_scalar(yaml.ScalarNode(tag, text))
