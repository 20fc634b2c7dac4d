"""Golden corpus driven through the real CLI: valid specs pass; each invalid spec yields exactly
the errors its `# expect:` lines list (line:col: $.path: message), nothing more, nothing less."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.yaml"))
INVALID = sorted((CORPUS / "invalid").glob("*.yaml"))


def expected_errors(path: Path) -> list[str]:
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    expects = [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]
    return sorted(e.replace("{dir}", str(path.parent)) for e in expects)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_specs_pass(ibrun, path):
    result = ibrun("validate", str(path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == "ok: 1 file valid"


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_specs_report_exactly_the_expected_errors(ibrun, path):
    assert expected_errors(path), f"{path.name} lists no '# expect:' lines"
    result = ibrun("validate", "--format", "json", str(path))
    assert result.exit_code == 1
    [report] = json.loads(result.stdout)["files"]
    actual = sorted(f"{e['line']}:{e['column']}: {e['path']}: {e['message']}" for e in report["errors"])
    assert actual == expected_errors(path)
    assert all(e["file"] == str(path) for e in report["errors"])


def test_secret_values_are_never_echoed(ibrun):
    result = ibrun("validate", *map(str, INVALID))
    assert "hunter2" not in result.stdout + result.stderr
    # nothing of a file `extends:` names that is not a spec: neither its keys nor its values
    assert "AWS_SECRET" not in result.stdout and "wJalrXUtnFEMI" not in result.stdout


def test_all_files_of_a_run_are_reported_together(ibrun):
    result = ibrun("validate", *map(str, INVALID), str(CORPUS / "valid"))
    assert result.exit_code == 1
    for path in INVALID:
        assert str(path) in result.stdout
    total = sum(len(expected_errors(p)) for p in INVALID)
    assert result.stdout.splitlines()[-1] == (
        f"invalid: {len(INVALID)} of {len(INVALID) + len(VALID)} files ({total} errors)"
    )
