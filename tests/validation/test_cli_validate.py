"""`ibrun validate` through the CLI: arguments, formats, exit codes, and a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests/validation/corpus/valid/everything.yaml"
INVALID = ROOT / "tests/validation/corpus/invalid/unknown-keys.yaml"


def test_shipped_specs_and_examples_are_valid(ibrun):
    result = ibrun("validate", str(ROOT / "specs"), str(ROOT / "examples"))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ok: ")


def test_usage_errors_exit_2(ibrun):
    assert ibrun("validate").exit_code == 2
    missing = ibrun("validate", "no/such/file.yaml")
    assert missing.exit_code == 2
    assert "no such file or directory" in missing.stderr
    assert ibrun("validate", "--format", "xml", str(VALID)).exit_code == 2
    assert ibrun("validate", str(ROOT / "nothing-*.yaml")).exit_code == 2


def test_globs_and_directories(ibrun, tmp_path):
    (tmp_path / "a.yaml").write_text("version: 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text("version: 1\ntrader_id: X-1\n")
    (tmp_path / "sub" / "workflow.yml").write_text("on: push\njobs: {}\n")  # not a spec: skipped
    (tmp_path / "compose.yaml").write_text('version: "3.8"\nservices: {}\n')  # compose's version: skipped
    assert ibrun("validate", str(tmp_path)).stdout.strip() == "ok: 2 files valid"
    assert ibrun("validate", str(tmp_path / "**" / "b.yml")).stdout.strip() == "ok: 1 file valid"
    assert ibrun("validate", str(tmp_path / "**" / "*.yml")).exit_code == 1  # a glob names files: all checked


def test_json_format(ibrun):
    result = ibrun("validate", "--format", "json", str(VALID), str(INVALID))
    document = json.loads(result.stdout)
    assert document["status"] == "invalid"
    assert [f["valid"] for f in document["files"]] == [True, False]
    error = document["files"][1]["errors"][0]
    assert set(error) == {"file", "line", "column", "path", "message", "rule"}


def test_github_annotations(ibrun):
    result = ibrun("validate", "--format", "github", str(INVALID))
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"::error file={INVALID},line=5,col=3,title=ibrun $.data.clientid::unknown key")


def test_set_and_env_file_apply_before_validation(ibrun, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\ngateway:\n  port: ${GW_PORT}\n")
    env = tmp_path / "ci.env"
    env.write_text("# comment\nGW_PORT=4002\n")
    assert ibrun("validate", str(spec), "--env-file", str(env)).exit_code == 0
    bad = ibrun("validate", str(spec), "--env-file", str(env), "--set", "gateway.port=99999")
    assert bad.exit_code == 1
    assert "<--set>:1:14: $.gateway.port: input should be less than or equal to 65535" in bad.stdout
    assert ibrun("validate", str(spec), "--env-file", str(tmp_path / "none.env")).exit_code == 2


def test_deep_imports_strategies(ibrun, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\nnode:\n  strategies:\n    - path: no_such_pkg.mod:Strategy\n")
    assert ibrun("validate", str(spec)).exit_code == 0
    deep = ibrun("validate", "--deep", str(spec))
    assert deep.exit_code == 1
    assert "cannot import module 'no_such_pkg.mod'" in deep.stdout


def test_real_process_and_no_nautilus_import_on_the_default_path(tmp_path):
    probe = (
        "import sys; from runner.cli.entry import main\n"
        "code = 0\ntry:\n    main(['validate', sys.argv[1]])\n"
        "except SystemExit as e:\n    code = e.code\nprint('nautilus' in ' '.join(sys.modules), code)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(VALID)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False 0")
    ibrun_bin = shutil.which("ibrun", path=os.path.dirname(sys.executable))
    assert ibrun_bin, "the ibrun console script is installed in the venv"
    proc = subprocess.run([ibrun_bin, "validate", str(INVALID)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr


def test_set_list_indices_and_errors_located_at_the_set(ibrun, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\nnode:\n  strategies:\n    - path: a.b:C\n      config: {x: 0}\n")
    assert ibrun("validate", str(spec), "--set", "node.strategies[0].config.x=1").exit_code == 0
    for assignment, expected in [
        ("node.strategies[0].bogus=1", "<--set>:1:20: $.node.strategies[0].bogus: unknown key 'bogus'"),
        ("bogus.x=1", "<--set>:1:1: $.bogus: unknown key 'bogus'"),
        ("a..b=1", "<--set>:1:3: $: --set a..b=1: empty key at column 3"),
        ("node.strategies[2].path=x", "<--set>:1:16: $.node.strategies: --set node.strategies[2]: index 2 is out"),
    ]:
        result = ibrun("validate", str(spec), "--set", assignment)
        assert (result.exit_code, result.stdout.splitlines()[0][: len(expected)]) == (1, expected)


def test_skip_non_specs_skips_named_files_that_are_not_specs_with_a_note(ibrun, tmp_path):
    # What pre-commit does: name every YAML file. Named files are checked unless asked.
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1  # a spec\n")
    overlay = tmp_path / "o.yaml"
    overlay.write_text("extends: s.yaml\n")
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: push\njobs: {}\n")
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("version: '3.8'\nservices: {}\n")
    named = [str(p) for p in (spec, overlay, workflow, compose)]
    assert ibrun("validate", *named).exit_code == 1
    result = ibrun("validate", "--skip-non-specs", *named)
    assert (result.exit_code, result.stdout) == (0, "ok: 2 files valid\n")
    assert result.stderr.splitlines() == [
        f"note: skipped {path}: not an ibrun spec (no top-level 'version: 1' or 'extends:', no ibrun schema line)"
        for path in (workflow, compose)
    ]
    spec.write_text("version: 1\ntrader_id: nohyphen\n")
    assert ibrun("validate", "--skip-non-specs", *named).exit_code == 1
