"""`runner.cli.entry` decides from the arguments alone whether an invocation runs a node."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli.entry import runs_a_node


@pytest.fixture
def specs(tmp_path: Path) -> dict[str, str]:
    run = tmp_path / "paper.yaml"
    run.write_text("version: 1\n")
    download = tmp_path / "history.yaml"
    download.write_text("version: 1\ndownload:\n  catalog: ./catalog\n")
    return {"run": str(run), "download": str(download)}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "{run}"], True),
        (["run", "{run}", "--duration", "5"], True),
        (["{run}"], True),
        (["{run}", "--dry-run"], True),
        (["{download}"], False),  # `ibrun SPEC` of a download spec is `ibrun download`
        (["download", "{download}"], False),
        (["validate", "{run}"], False),
        (["render", "{run}"], False),
        (["run", "--help"], False),
        (["{run}", "-h"], False),
        (["--traceback", "run", "{run}"], False),  # global options: the ordinary CLI decides
        ([], False),
        (["not-a-command"], False),
    ],
)
def test_runs_a_node(specs: dict[str, str], args: list[str], expected: bool) -> None:
    assert runs_a_node([arg.format(**specs) for arg in args]) is expected
