"""One spec file through the stages: load → interpolate/merge → model → semantic checks.

`check_file` returns every issue of a file (for `ibrun validate`); `load_spec` returns the
validated model or raises `SpecInvalid` carrying all issues (for every other command).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import Location, SpecInvalid, SpecIssue, UsageError
from runner.loading.compose import Assembled, assemble
from runner.loading.document import Positions, format_path
from runner.loading.options import LoadOptions
from runner.model import Spec
from runner.validation.checks import run_checks
from runner.validation.checks_node import node_warnings
from runner.validation.model_errors import validate_model
from runner.validation.partial import checks_despite_schema_errors
from runner.validation.problems import Problem


@dataclass(frozen=True)
class LoadedSpec:
    """A valid spec, the file it was read from and every file it extends."""

    spec: Spec
    path: Path
    base_dir: Path
    sources: tuple[Path, ...]
    warnings: tuple[SpecIssue, ...] = ()
    positions: Positions | None = None
    """Where each value was written (to locate what later checks find)."""


@dataclass(frozen=True)
class FileResult:
    path: str
    spec: Spec | None
    issues: tuple[SpecIssue, ...]
    """Errors and warnings, in file order."""
    sources: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No errors (warnings do not make a spec invalid)."""
        return not self.errors

    @property
    def errors(self) -> tuple[SpecIssue, ...]:
        return tuple(issue for issue in self.issues if issue.is_error)

    @property
    def warnings(self) -> tuple[SpecIssue, ...]:
        return tuple(issue for issue in self.issues if not issue.is_error)


def environment(options: LoadOptions) -> dict[str, str]:
    """The variables interpolation sees: the env file, overridden by the real environment."""
    if options.env_file is None:
        return dict(options.environ)
    from runner.loading.envfile import EnvFileError, read_env_file  # python-dotenv: 8 ms, only for --env-file

    try:
        variables = read_env_file(options.env_file, options.environ)
    except EnvFileError as exc:
        raise UsageError(str(exc)) from None
    return {**variables, **options.environ}


def is_fleet(data: Any) -> bool:
    """Whether a loaded document is a fleet file (`kind: fleet`) rather than a spec."""
    return isinstance(data, dict) and data.get("kind") == "fleet"


def check_file(path: str, options: LoadOptions, environ: dict[str, str] | None = None) -> FileResult:
    env = environ if environ is not None else environment(options)
    return check_assembled(path, assemble(path, env, options.sets, allow_extends=options.allow_extends))


def check_assembled(path: str, assembled: Assembled) -> FileResult:
    if assembled.data is None or assembled.issues:
        return FileResult(path, None, _sorted(assembled.issues), assembled.sources)
    if assembled.data.get("kind") == "fleet":  # runner.validation.fleet checks fleets
        location = assembled.positions.locate(("kind",)) or Location(path, 1, 1)
        message = "this is a fleet file, not a spec: `ibrun export compose|k8s` deploys it, `ibrun validate` checks it"
        return FileResult(path, None, (SpecIssue(location, "$.kind", message, "fleet"),), assembled.sources)
    spec, issues = validate_model(assembled.data, assembled.positions, path)
    positions = assembled.positions
    warnings: list[SpecIssue] = []
    if spec is not None:
        issues = _semantic_issues(run_checks(spec, assembled.data, positions.variables), positions, path)
        warnings = _semantic_issues(node_warnings(spec), positions, path, "warning")
    else:
        problems = checks_despite_schema_errors(assembled.data, positions.variables)
        issues += _semantic_issues(problems, positions, path)
    valid = spec if not issues else None
    # No positions kept: a batch of 1,000 results holding them makes every full GC pass slower.
    return FileResult(path, valid, _sorted([*issues, *warnings]), assembled.sources)


def _semantic_issues(
    problems: list[Problem], positions: Positions, file: str, severity: str = "error"
) -> list[SpecIssue]:
    return [
        SpecIssue(positions.locate(path) or Location(file, 1, 1), format_path(path), message, "check", severity)
        for path, message in problems
    ]


def _sorted(issues: list[SpecIssue] | tuple[SpecIssue, ...]) -> tuple[SpecIssue, ...]:
    return tuple(sorted(issues, key=lambda i: (i.location.file, i.location.line, i.location.col)))


def load_spec(path: Path | str, options: LoadOptions | None = None) -> LoadedSpec:
    options = options or LoadOptions()
    env = environment(options)
    assembled = assemble(str(path), env, options.sets, allow_extends=options.allow_extends)
    result = check_assembled(str(path), assembled)
    if result.spec is None:
        raise SpecInvalid(result.errors)
    path = Path(path)
    sources = tuple(Path(s) for s in result.sources)
    return LoadedSpec(result.spec, path, path.resolve().parent, sources, result.warnings, assembled.positions)
