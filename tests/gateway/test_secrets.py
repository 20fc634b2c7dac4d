"""Secret files' lifetime without an engine: the claim a starting process holds, and the sweep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner.gateway import secrets
from runner.gateway.secrets import OWNER, claimed, mount_secret, remove_secrets, secret_dir, sweep
from runner.model.gateway import SecretRef
from tests.launch.helpers import REPO, StreamWatcher, kill_group


@pytest.fixture(autouse=True)
def private_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(secrets, "SECRETS_ROOT", tmp_path)
    return tmp_path


def write_password(name: str) -> Path:
    with claimed(name):
        return mount_secret(SecretRef(env="X"), Path("."), name, "tws_password", "pw").host_path


def test_a_claimed_directory_is_private_and_holds_the_file() -> None:
    with claimed("gw-a") as directory:
        path = mount_secret(SecretRef(env="X"), Path("."), "gw-a", "tws_password", "pw").host_path
        assert path.parent == directory == secret_dir("gw-a")
        assert directory.stat().st_mode & 0o777 == 0o700
        assert path.read_text() == "pw" and (directory / OWNER).exists()
        assert sweep(lambda name: False) == []  # held: a start is underway, the container not yet there
    remove_secrets("gw-a")
    assert not directory.exists()


def test_sweep_removes_only_what_nobody_holds_and_no_container_needs() -> None:
    write_password("gone")  # its starter finished (or died) and its container is gone
    write_password("running")  # its container still exists: a restart policy may need the file
    legacy = secret_dir("legacy")  # written before owner files existed
    legacy.mkdir()
    (legacy / "tws_password").write_text("pw")
    assert sweep(lambda name: name == "running") == ["gone", "legacy"]
    assert not secret_dir("gone").exists() and not legacy.exists()
    assert (secret_dir("running") / "tws_password").exists()


HOLDER = """
import sys, time
from pathlib import Path
from runner.gateway import secrets
secrets.SECRETS_ROOT = Path(sys.argv[1])
with secrets.claimed("held"):
    print("claimed", flush=True)
    time.sleep(300)
"""


def test_a_claim_ends_with_its_process_however_it_ends(private_root: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(private_root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert StreamWatcher(holder.stdout).wait_for("claimed", 30)
        assert sweep(lambda name: False) == []  # a live process holds it
        kill_group(holder.pid)  # SIGKILL: no clean-up of its own
        holder.wait(10)
    finally:
        kill_group(holder.pid)
    assert sweep(lambda name: False) == ["held"]


def test_a_claim_survives_a_sweep_between_creating_and_locking(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sweep may remove the directory between `mkdir` and the lock; the claim starts over.
    real_open = os.open
    swept = []

    def open_after_a_sweep(path: str | Path, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(OWNER) and flags & os.O_CREAT and not swept:
            swept.append([])
            swept[0].extend(sweep(lambda name: False))  # the directory is still unlocked: gone
        return real_open(path, flags, mode)

    monkeypatch.setattr(secrets.os, "open", open_after_a_sweep)
    with claimed("racy") as directory:
        assert swept == [["racy"]]
        assert (directory / OWNER).exists() and directory.exists()
