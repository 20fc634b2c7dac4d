"""`ibrun validate --deep`: what needs nautilus or user code — imports and nautilus' own parser."""

from __future__ import annotations

import importlib
from dataclasses import replace

from runner.errors import Location, SpecIssue
from runner.model import Spec
from runner.options import LoadOptions
from runner.pipeline import FileResult, check_file


def deep_check(result: FileResult) -> FileResult:
    if not result.ok:
        return result
    spec = result.spec or check_file(result.path, LoadOptions()).spec
    if spec is None:
        return result
    problems = [*_import_problems(spec), *_nautilus_id_problems(spec)]
    issues = tuple(SpecIssue(Location(result.path, 1, 1), path, message, "deep") for path, message in problems)
    return replace(result, issues=issues)


def _import_problems(spec: Spec) -> list[tuple[str, str]]:
    problems = []
    for section in ("strategies", "actors"):
        for index, component in enumerate(getattr(spec.node, section)):
            for field, target in (("path", component.path), ("config_path", component.resolved_config_path)):
                error = _import_error(target)
                if error:
                    problems.append((f"$.node.{section}[{index}].{field}", error))
    return problems


def _import_error(target: str) -> str | None:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        return f"cannot import module '{module_name}': {type(exc).__name__}: {exc}"
    if not hasattr(module, attribute):
        return f"module '{module_name}' has no attribute '{attribute}'"
    return None


def _nautilus_id_problems(spec: Spec) -> list[tuple[str, str]]:
    from nautilus_trader.adapters.interactive_brokers.config import SymbologyMethod
    from nautilus_trader.adapters.interactive_brokers.parsing.instruments import (
        instrument_id_to_ib_contract,
        possible_exchanges_for_venue,
    )
    from nautilus_trader.model.identifiers import InstrumentId

    method = SymbologyMethod(spec.instruments.symbology)
    problems = []
    for index, load_id in enumerate(spec.instruments.load_ids):
        try:
            instrument_id = InstrumentId.from_str(load_id)
            exchanges = possible_exchanges_for_venue(instrument_id.venue.value)
            if len(exchanges) == 1:
                instrument_id_to_ib_contract(instrument_id, exchanges[0], method)
        except Exception as exc:
            problems.append((f"$.instruments.load_ids[{index}]", f"nautilus rejects '{load_id}': {exc}"))
    return problems
