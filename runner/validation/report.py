"""Report validation results once, in text, JSON or GitHub workflow-annotation form.

Warnings (a risk the spec may mean to take, e.g. a live Redis cache without reconciliation) are
reported like errors, marked `warning:`, and leave the spec valid: exit 0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from runner.errors import SpecIssue
from runner.validation.pipeline import FileResult


def report(results: Sequence[FileResult], fmt: str, out: TextIO) -> None:
    {"text": _text, "json": _json, "github": _github}[fmt](results, out)


def _text(results: Sequence[FileResult], out: TextIO) -> None:
    for result in results:
        for issue in result.issues:
            out.write(f"{issue}\n")
    out.write(_summary(results) + "\n")


def _summary(results: Sequence[FileResult]) -> str:
    invalid = [r for r in results if not r.ok]
    errors = sum(len(r.errors) for r in invalid)
    warned = sum(len(r.warnings) for r in results)
    warnings = f" ({_count(warned, 'warning')})" if warned else ""
    files = _count(len(results), "file")
    if not invalid:
        return f"ok: {files} valid{warnings}"
    also = f", {_count(warned, 'warning')}" if warned else ""
    return f"invalid: {len(invalid)} of {files} ({_count(errors, 'error')}{also})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _json(results: Sequence[FileResult], out: TextIO) -> None:
    document = {
        "status": "ok" if all(r.ok for r in results) else "invalid",
        "files": [
            {
                "path": r.path,
                "valid": r.ok,
                "errors": [_issue_dict(i) for i in r.errors],
                "warnings": [_issue_dict(i) for i in r.warnings],
            }
            for r in results
        ],
    }
    json.dump(document, out, indent=2)
    out.write("\n")


def _issue_dict(issue: SpecIssue) -> dict[str, object]:
    loc = issue.location
    return {
        "file": loc.file,
        "line": loc.line,
        "column": loc.col,
        "path": issue.json_path,
        "message": issue.message,
        "rule": issue.rule,
    }


def _github(results: Sequence[FileResult], out: TextIO) -> None:
    # https://docs.github.com/actions/reference/workflow-commands: data needs %, CR, LF escaped,
    # properties also ':' and ','.
    for result in results:
        for issue in result.issues:
            loc = issue.location
            props = f"file={_prop(loc.file)},line={loc.line},col={loc.col},title={_prop('ibrun ' + issue.json_path)}"
            out.write(f"::{issue.severity} {props}::{_data(issue.message)}\n")
    out.write(_summary(results) + "\n")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
