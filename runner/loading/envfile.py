"""`--env-file FILE`: variables from a compose-style `.env` file (KEY=VALUE, `export KEY=VALUE`,
# comments, quoted values), read with python-dotenv's parser.

Values are interpolated the way spec values are (runner.loading.interpolate): `${VAR}` reads the
environment or a variable set earlier in the file, an unset one is an error rather than an empty
string, and a single-quoted value is taken literally. Every problem is located at FILE:LINE:COL;
the file is read like every file a spec names (runner.loading.files: a regular file, at most
1 MiB, UTF-8).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from dotenv.parser import Binding, parse_stream

from runner.errors import Location
from runner.loading.files import MAX_ENV_FILE_BYTES, FileRefused, read_text
from runner.loading.interpolate import InterpolationError, interpolate


class EnvFileError(ValueError):
    """The env file cannot be used; one user-facing line per problem, located where it can be."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_env_file(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables `path` sets; `environ` is what `${VAR}` in a value may also refer to (and
    wins over the file, as the final environment does)."""
    try:
        text = read_text(path, MAX_ENV_FILE_BYTES)
    except FileRefused as exc:
        where = Location(str(path), exc.line, exc.col) if exc.in_content else path
        raise EnvFileError([f"env file {where} {exc}"]) from None
    variables: dict[str, str] = {}
    problems: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.error:
            problems.append(f"env file {Location(str(path), line, 1)}: expected KEY=VALUE (or a # comment)")
            continue
        if binding.key is None or binding.value is None:
            continue  # a comment, a blank line, or a bare KEY (compose: not set here)
        try:
            variables[binding.key] = _value(binding, {**variables, **environ})
        except InterpolationError as exc:
            where = Location(str(path), line, _value_column(binding))
            problems.append(f"env file {where}: {binding.key}: {exc}")
    if problems:
        raise EnvFileError(problems)
    return variables


def _value(binding: Binding, environ: Mapping[str, str]) -> str:
    assert binding.value is not None
    if _raw_value(binding).startswith("'"):
        return binding.value  # single quotes: literal, as in compose and POSIX shells
    return interpolate(binding.value, environ)


def _raw_value(binding: Binding) -> str:
    return binding.original.string.partition("=")[2].lstrip()


def _value_column(binding: Binding) -> int:
    raw = binding.original.string
    equals = raw.find("=")
    after = raw[equals + 1 :]
    return equals + 2 + len(after) - len(after.lstrip(" \t"))
