"""The README's promises that code can check: the exit-code table and the CI test command."""

from __future__ import annotations

import re
from pathlib import Path

from runner.errors import EXIT_CODES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", README, re.DOTALL)
    assert match, f"README has no <!-- {marker} --> section"
    return match.group(1)


def test_exit_code_table_matches_the_code():
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", section("exit-codes"), re.MULTILINE)
    assert [(int(code), text) for code, text in rows] == [(int(c), t) for c, t in EXIT_CODES.items()]


def test_ci_runs_the_readme_test_command():
    block = re.search(r"```bash\n(.+?)\n```", section("test-command"), re.DOTALL)
    assert block and block.group(1).startswith("pip install uv && uv run")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci and 'eval "$test_command"' in ci
