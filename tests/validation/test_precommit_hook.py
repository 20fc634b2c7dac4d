"""The `ibrun-validate` pre-commit hook, run by pre-commit itself (`pre-commit try-repo`) in a
repository that holds an ibrun spec beside other YAML (a GitHub workflow, a docker-compose file).

The hook is `language: system`: it runs the `ibrun` on PATH, here this environment's. So the
hook repository needs nothing but the manifest, copied verbatim from this checkout into a
temporary git repository (try-repo clones a git repository; this checkout may not be one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""
# A legacy compose file: its top-level `version:` is not ibrun's `version: 1`.
COMPOSE = """version: "3.8"
services:
  redis:
    image: redis:7
    ports: ["6379:6379"]
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True)


def clean_environment(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '')}"  # the hook's `ibrun`: this one
    environ["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return environ


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: apt-get install git (pre-commit needs it)")
    if not (BIN / "ibrun").exists():
        pytest.skip(f"no ibrun console script in {BIN}: run `uv sync` in the checkout")
    hooks = tmp_path / "hook-repo"
    hooks.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", hooks)
    git(hooks, "init", "-q")
    git(hooks, "add", ".")
    git(hooks, "commit", "-q", "-m", "hooks")
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    (project / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "paper.yaml", project / "specs" / "paper.yaml")
    (project / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (project / "docker-compose.yml").write_text(COMPOSE)
    git(project, "init", "-q")
    git(project, "add", ".")
    return hooks, project


def try_repo(hooks: Path, project: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "ibrun-validate", "--all-files", "--verbose"]
    environ = clean_environment(project.parent)
    return subprocess.run(command, cwd=project, env=environ, capture_output=True, text=True, timeout=120)


def test_hook_checks_specs_and_skips_other_yaml_with_a_note(repos: tuple[Path, Path]) -> None:
    hooks, project = repos
    result = try_repo(hooks, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: 1 file valid" in result.stdout
    for other in (".github/workflows/ci.yml", "docker-compose.yml"):
        assert f"note: skipped {other}: not an ibrun spec" in result.stdout


def test_hook_fails_on_an_invalid_spec_with_its_location(repos: tuple[Path, Path]) -> None:
    hooks, project = repos
    spec = project / "specs" / "paper.yaml"
    spec.write_text(spec.read_text().replace("data:\n  client_id: 1", "data:\n  clientid: 1"))
    git(project, "add", ".")
    result = try_repo(hooks, project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "specs/paper.yaml:32:3: $.data.clientid: unknown key 'clientid'; did you mean 'client_id'?" in result.stdout
    assert "invalid: 1 of 1 file" in result.stdout
