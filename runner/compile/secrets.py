"""Readers for the secrets a plan refers to (`runner.compile.build.Secret`): the value for a run,
a mask for `ibrun render`, the reference itself for `ibrun diff` (which compares specs, not the
contents of a file or variable that may not exist where it runs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from runner.compile.build import Secret, SecretReader
from runner.errors import SecretUnavailable
from runner.model.secrets import MASK


def read_secrets(base_dir: Path, environ: Mapping[str, str] | None = None) -> SecretReader:
    """A reader of the values: `{file: PATH}` relative to ``base_dir`` (the spec's directory)."""
    variables = os.environ if environ is None else environ

    def read(secret: Secret) -> str:
        if secret.env is not None:
            value = variables.get(secret.env, "")
            if not value:
                raise SecretUnavailable(f"{secret.where}: environment variable {secret.env} is not set or empty")
            return value
        assert secret.file is not None
        path = (base_dir / os.path.expanduser(secret.file)).resolve()
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise SecretUnavailable(f"{secret.where}: cannot read {path}: {error.strerror}") from None
        if not value:
            raise SecretUnavailable(f"{secret.where}: the file {path} is empty")
        return value

    return read


def masked(secret: Secret) -> str:
    return MASK


def reference(secret: Secret) -> str:
    """`env:REDIS_PASSWORD` / `file:./secrets/redis`: a change of reference still shows in a diff."""
    return str(secret)
