"""The node image's Dockerfile (it cannot be built here: no registry): installs ibrun from the lock
file, runs as a non-root user, and keeps the contract the exports and the test image rely on."""

from __future__ import annotations

import re
from pathlib import Path

from runner.fleet.k8s import NODE_UID

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def test_installs_from_the_lock_file_frozen() -> None:
    steps = instructions()
    copies = " ".join(arg for op, arg in steps if op == "COPY")
    assert "uv.lock" in copies and "pyproject.toml" in copies
    syncs = [arg for op, arg in steps if op == "RUN" and "uv sync" in arg]
    assert syncs and all("--frozen" in arg and "--no-dev" in arg for arg in syncs)
    assert not any("pip install" in arg for op, arg in steps if op == "RUN")


def test_runs_as_a_non_root_user() -> None:
    users = [arg for op, arg in final_stage() if op == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("0", "root")
    assert user == str(NODE_UID)  # the Kubernetes export runs node pods as this user


def test_keeps_the_entrypoint_contract() -> None:
    stage = dict(final_stage())
    assert stage["ENTRYPOINT"] == '["ibrun"]'
    assert stage["WORKDIR"] == "/var/lib/ibrun"
    env = stage["ENV"]
    assert "PATH=/app/.venv/bin:" in env and "PYTHONPATH=/app" in env and "XDG_CACHE_HOME=/var/lib/ibrun/cache" in env
    assert "9464" in stage["EXPOSE"]


def test_base_python_is_the_projects() -> None:
    python = (ROOT / ".python-version").read_text().strip()
    bases = [arg for op, arg in instructions() if op == "FROM"]
    assert all(base.startswith(f"python:{python}-") for base in bases if "AS build" in base or base == bases[-1])
