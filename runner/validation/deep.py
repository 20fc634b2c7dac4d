"""`ibrun validate --deep`: what needs nautilus or user code — imports, nautilus' own id parser,
the strategies' and actors' configs against their classes, and `node.nautilus` through nautilus'
decoder (`runner.validation.nautilus_checks`)."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

from runner.errors import Location, SpecIssue
from runner.loading.compose import assemble
from runner.loading.document import format_path
from runner.loading.options import LoadOptions
from runner.model import Spec
from runner.validation.nautilus_checks import located, nautilus_problems
from runner.validation.pipeline import FileResult, check_file
from runner.validation.problems import Problem


def deep_check(result: FileResult, options: LoadOptions, environ: dict[str, str]) -> FileResult:
    if not result.ok:
        return result
    spec = result.spec or check_file(result.path, options, environ).spec
    if spec is None:
        return result
    from runner.validation.components import extend_sys_path

    extend_sys_path(Path(result.path).parent)  # user modules import as they will under `ibrun run`
    problems = [*_import_problems(spec), *_nautilus_id_problems(spec)]
    positions = assemble(result.path, environ, options.sets, allow_extends=options.allow_extends).positions
    issues = [
        SpecIssue(positions.locate(path) or Location(result.path, 1, 1), format_path(path), message, "deep")
        for path, message in problems
    ]
    issues += located(nautilus_problems(spec), positions, result.path)
    if not issues:
        return result
    ordered = sorted([*result.issues, *issues], key=lambda i: (i.location.file, i.location.line, i.location.col))
    return replace(result, spec=None, issues=tuple(ordered))


def _import_problems(spec: Spec) -> list[Problem]:
    problems: list[Problem] = []
    for section in ("strategies", "actors", "exec_algorithms"):
        for index, component in enumerate(getattr(spec.node, section)):
            broken: set[str] = set()  # a module that fails once is reported once
            for field, target in (("path", component.path), ("config_path", component.resolved_config_path)):
                module_name = target.partition(":")[0]
                error = None if module_name in broken else _import_error(target)
                if error:
                    problems.append((("node", section, index, field), error))
                    if error.startswith("cannot import"):
                        broken.add(module_name)
    return problems


def _import_error(target: str) -> str | None:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure is the user's to see
        return f"cannot import module '{module_name}': {type(exc).__name__}: {exc}"
    if not hasattr(module, attribute):
        return f"module '{module_name}' has no attribute '{attribute}'"
    return None


def _nautilus_id_problems(spec: Spec) -> list[Problem]:
    from nautilus_trader.adapters.interactive_brokers.config import SymbologyMethod
    from nautilus_trader.adapters.interactive_brokers.parsing.instruments import (
        instrument_id_to_ib_contract,
        possible_exchanges_for_venue,
    )
    from nautilus_trader.model.identifiers import InstrumentId

    method = SymbologyMethod(spec.instruments.symbology)
    problems: list[Problem] = []
    for index, load_id in enumerate(spec.instruments.load_ids):
        try:
            instrument_id = InstrumentId.from_str(load_id)
            exchanges = possible_exchanges_for_venue(instrument_id.venue.value)
            if len(exchanges) == 1:
                instrument_id_to_ib_contract(instrument_id, exchanges[0], method)
        except Exception as exc:  # nautilus raises ValueError, KeyError, ...
            problems.append((("instruments", "load_ids", index), f"nautilus rejects '{load_id}': {exc}"))
    return problems
