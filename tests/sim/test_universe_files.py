"""A universe file is read like every file a spec names: a regular file, bounded, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runner.errors import ExitCode


@pytest.mark.parametrize(
    ("path", "what"),
    [("/dev/zero", "is a character device, not a regular file"), ("/", "is a directory, not a regular file")],
)
def test_special_universe_files_are_usage_errors(path, what):
    result = subprocess.run(
        [sys.executable, "-m", "runner.sim", "--port", "0", "--universe", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == f"error: ibrun sim: cannot read universe file {path}: it {what}\n"
