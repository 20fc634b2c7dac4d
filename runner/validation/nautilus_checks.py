"""What only nautilus can check, before a node is built: each strategy's, actor's and execution
algorithm's `config:` decoded into its config class exactly as nautilus' factories do, and each
`node.nautilus` argument decoded as part of a TradingNodeConfig.

`ibrun validate --deep` reports these with the other issues; `ibrun run` (and `--dry-run`) runs
them before anything starts, so a typo such as `qtty` is a located spec error (exit 1) instead of
exit 11 after a screen of logs. Modules must be importable (`check_components` ran first).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from runner.errors import Location, SpecInvalid, SpecIssue
from runner.loading.document import JsonPath, Positions, format_path
from runner.validation.problems import Problem

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.model.node import Component
    from runner.validation.pipeline import LoadedSpec

_WHERE = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[\"([^\"]*)\"\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`$")
_COMPONENT_SECTIONS = ("strategies", "actors", "exec_algorithms")


def nautilus_problems(spec: Spec) -> list[Problem]:
    problems = [*_escape_hatch_problems(spec.node.nautilus)]
    for section in _COMPONENT_SECTIONS:
        for index, component in enumerate(getattr(spec.node, section)):
            problems.extend(_config_problems(component, ("node", section, index)))
    return problems


def check_node_config(loaded: LoadedSpec) -> None:
    """Raise SpecInvalid, located in the spec, for every problem `nautilus_problems` finds."""
    problems = nautilus_problems(loaded.spec)
    if problems:
        raise SpecInvalid(located(problems, loaded.positions, str(loaded.path)))


def located(problems: list[Problem], positions: Positions | None, file: str) -> list[SpecIssue]:
    def where(path: JsonPath, message: str) -> Location:
        # An unknown field is shown at its key, a wrong value at the value.
        found = positions.locate(path, key="unknown field" in message) if positions is not None else None
        return found or Location(file, 1, 1)

    return [SpecIssue(where(path, message), format_path(path), message, "nautilus") for path, message in problems]


def _config_problems(component: Component, at: JsonPath) -> list[Problem]:
    import msgspec
    from nautilus_trader.common.config import NautilusConfig, msgspec_encoding_hook

    from runner.compile.build import resolve

    try:
        config_class = resolve(component.resolved_config_path)
    except (ImportError, AttributeError):
        return []  # reported by the import checks, with the module's own error
    if not (isinstance(config_class, type) and issubclass(config_class, NautilusConfig)):
        return [((*at, "config_path"), f"{component.resolved_config_path} is not a nautilus config class")]
    try:
        config_class.parse(msgspec.json.encode(component.config, enc_hook=msgspec_encoding_hook))
    except (msgspec.ValidationError, TypeError, ValueError) as error:
        name = config_class.__name__
        return [_decoder_problem(str(error), (*at, "config"), f"{name}: ", config_class.__struct_fields__)]
    return []


def _escape_hatch_problems(arguments: dict[str, Any]) -> list[Problem]:
    if not arguments:
        return []
    import msgspec
    from nautilus_trader.live.config import TradingNodeConfig

    from runner.compile.values import nautilus_argument

    fields = TradingNodeConfig.__struct_fields__
    problems = []
    for name, value in arguments.items():
        try:
            nautilus_argument(name, value)
        except (msgspec.ValidationError, TypeError, ValueError) as error:
            problems.append(_decoder_problem(str(error), ("node", "nautilus"), "TradingNodeConfig: ", fields))
    return problems


def _decoder_problem(message: str, at: JsonPath, prefix: str, fields: tuple[str, ...]) -> Problem:
    """msgspec's message located: `- at `$.a[0].b`` becomes the spec path below ``at``."""
    path: JsonPath = at
    where = _WHERE.search(message)
    if where is not None:
        message = message[: where.start()]
        path = (*at, *_parts(where.group("path")))
    unknown = _UNKNOWN.match(message)
    if unknown is not None:
        name = unknown.group("name")
        path = (*path, name)
        message = f"unknown field '{name}'"
        if path[:-1] == at:  # a top-level field: suggest one of the class's own
            close = difflib.get_close_matches(name, fields, n=1)
            message += f"; did you mean '{close[0]}'?" if close else f" (fields: {', '.join(fields)})"
    return path, prefix + message


def _parts(text: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for match in _PATH_PART.finditer(text):
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
    return tuple(parts)
