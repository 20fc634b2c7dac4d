"""`exec.while_disconnected` / `hold_timeout` through `ibrun validate`: located errors, exit 1."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import invoke


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("while_disconnected: later", "$.exec.while_disconnected: expected one of 'reject' or 'hold', got 'later'"),
        ("hold_timeout: 0", "$.exec.hold_timeout: input should be greater than 0"),
        ("hold_timeout: .inf", "$.exec.hold_timeout: input should be a finite number"),
        ("hold_timeout: 1e6", "$.exec.hold_timeout: input should be less than or equal to 86400"),
    ],
)
def test_bad_values_are_located(tmp_path: Path, line: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(f"""\
        version: 1
        exec:
          client_id: 2
          {line}
        """)
    )
    result = invoke("validate", "--format", "json", str(spec))
    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["files"][0]["errors"]
    assert (error["line"], error["column"]) == (4, 3 + len(line.split(":")[0]) + 2)
    assert f"{error['path']}: {error['message']}".startswith(expected)


def test_hold_is_valid(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nexec: {while_disconnected: hold, hold_timeout: 300}\n")
    assert invoke("validate", str(spec)).exit_code == 0
