"""A fleet file through the stages: load → model → every member spec validated with its
overrides and the fleet's wiring → fleet-wide checks (`checks_fleet`).

`ibrun validate` comes here for a file that says `kind: fleet` (`runner.validation.batch`);
`load_fleet` returns the validated fleet with its members or raises `SpecInvalid` with every issue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from runner.errors import Location, SpecInvalid, SpecIssue, UsageError
from runner.fleet.wiring import compose_hosts, member_overrides
from runner.loading.compose import Assembled, assemble
from runner.loading.document import Positions, format_path
from runner.loading.options import LoadOptions
from runner.loading.overrides import SET_SOURCE
from runner.model.fleet import Fleet, Member
from runner.model.fleet_parse import parse_fleet
from runner.validation.checks_fleet import run_fleet_checks
from runner.validation.loaded_fleet import LoadedFleet, LoadedMember
from runner.validation.model_errors import validate_root
from runner.validation.pipeline import check_assembled, environment, is_fleet


def load_fleet(path: Path | str, options: LoadOptions | None = None) -> LoadedFleet:
    options = options or LoadOptions()
    env = environment(options)
    assembled = assemble(str(path), env, options.sets, allow_extends=options.allow_extends)
    if assembled.data is not None and not assembled.issues and not is_fleet(assembled.data):
        raise UsageError(f"{path}: not a fleet file (a fleet says `kind: fleet`); `ibrun run` runs a spec")
    loaded, issues = check_fleet(str(path), assembled, env, options.allow_extends)
    if loaded is None:
        raise SpecInvalid([issue for issue in issues if issue.is_error])
    return loaded


def check_fleet(
    path: str, assembled: Assembled, environ: dict[str, str], allow_extends: tuple[Path, ...] = ()
) -> tuple[LoadedFleet | None, tuple[SpecIssue, ...]]:
    """The fleet and its members; a member's `extends:` may also read below the fleet file's
    directory (the fleet names those specs, so it vouches for their tree)."""
    if assembled.data is None or assembled.issues:
        return None, tuple(assembled.issues)
    fleet, issues = validate_root(assembled.data, assembled.positions, path, parse_fleet, Fleet)
    if fleet is None:
        return None, _sorted(issues)
    members: list[LoadedMember] = []
    scope = _MemberScope(environ, (*allow_extends, Path(path).resolve().parent))
    for index, member in enumerate(fleet.members):
        loaded, member_issues = _check_member(fleet, member, index, path, assembled.positions, scope)
        issues += member_issues
        if loaded is not None:
            members.append(loaded)
    for problem_path, message in run_fleet_checks(fleet, members):
        location = assembled.positions.locate(problem_path) or Location(path, 1, 1)
        issues.append(SpecIssue(location, format_path(problem_path), message, "fleet"))
    if any(issue.is_error for issue in issues):
        return None, _sorted(issues)
    result = LoadedFleet(fleet, Path(path), tuple(members), assembled.positions, assembled.sources)
    return result, _sorted(issues)  # the members' warnings


def member_path(fleet_path: str, member: Member) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(fleet_path), member.spec))


@dataclass(frozen=True)
class _MemberScope:
    environ: dict[str, str]
    allow_extends: tuple[Path, ...]


def _check_member(
    fleet: Fleet, member: Member, index: int, fleet_path: str, positions: Positions, scope: _MemberScope
) -> tuple[LoadedMember | None, list[SpecIssue]]:
    spec_path = member_path(fleet_path, member)
    where = positions.locate(("members", index, "spec")) or Location(fleet_path, 1, 1)
    if member.gateway not in fleet.gateways:
        return None, []  # a fleet check names the unknown gateway
    if not os.path.isfile(spec_path):
        message = f"member {member.name}: spec file not found: {spec_path}"
        return None, [SpecIssue(where, format_path(("members", index, "spec")), message, "fleet")]
    wiring = member_overrides(fleet, member, compose_hosts(fleet))
    assembled = assemble(spec_path, scope.environ, (*member.set, *wiring), allow_extends=scope.allow_extends)
    result = check_assembled(spec_path, assembled)
    issues = [_relocated(issue, member, index, positions, fleet_path) for issue in result.issues]
    if result.spec is None or assembled.data is None:
        return None, issues
    loaded = LoadedMember(
        member, index, Path(spec_path), result.spec, assembled.sources, assembled.data, assembled.positions
    )
    return loaded, issues


def _relocated(issue: SpecIssue, member: Member, index: int, positions: Positions, fleet_path: str) -> SpecIssue:
    """A member's issue where the user can fix it: its own `set:` entry in the fleet file, the
    member entry for the fleet's wiring, else the spec file where the value was written."""
    message = f"member {member.name}: {issue.message}"
    if issue.location.file != SET_SOURCE:
        return SpecIssue(issue.location, issue.json_path, message, issue.rule, issue.severity)
    number = issue.location.line
    if number <= len(member.set):
        location = positions.locate(("members", index, "set", number - 1)) or Location(fleet_path, 1, 1)
        return SpecIssue(location, issue.json_path, message, issue.rule, issue.severity)
    location = positions.locate(("members", index)) or Location(fleet_path, 1, 1)
    wired = f"{message} (set by the fleet's wiring)"
    return SpecIssue(location, issue.json_path, wired, issue.rule, issue.severity)


def _sorted(issues: list[SpecIssue] | tuple[SpecIssue, ...]) -> tuple[SpecIssue, ...]:
    return tuple(sorted(issues, key=lambda i: (i.location.file, i.location.line, i.location.col)))
