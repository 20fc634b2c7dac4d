"""Secret files a spec names are read like every file a spec names: only a regular file, at most
64 KiB, UTF-8; the error says what the path is and never shows a byte of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.errors import GatewayStartFailed, NodeFailed
from runner.gateway.secrets import resolve_secret
from runner.model.gateway import SecretRef
from runner.monitoring.notify import Notifier
from runner.monitoring.plan import AlertsPlan, DestinationPlan, SecretSource


def refusal(path: str, base_dir: Path) -> str:
    with pytest.raises(GatewayStartFailed) as info:
        resolve_secret(SecretRef(file=path), base_dir, "password", {})
    return str(info.value)


def test_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    assert refusal("/dev/zero", tmp_path) == (
        "cannot read the gateway password from /dev/zero: it is a character device, not a regular file"
    )


def test_a_fifo_does_not_block_and_a_directory_is_named(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pw")
    assert refusal("pw", tmp_path).endswith("it is a FIFO (named pipe), not a regular file")
    assert refusal(".", tmp_path).endswith("it is a directory, not a regular file")


def test_a_huge_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pw").write_bytes(b"x" * (64 * 1024 + 1))
    assert refusal("pw", tmp_path).endswith("it is larger than 64 KiB")


def test_not_utf8_says_so_without_the_byte(tmp_path: Path) -> None:
    (tmp_path / "pw").write_bytes(b"hunter\xe9\n")
    message = refusal("pw", tmp_path)
    assert message == f"cannot read the gateway password from {tmp_path}/pw: it is not valid UTF-8"


def test_an_alert_url_file_is_bounded_too(tmp_path: Path) -> None:
    destination = DestinationPlan(index=0, name="#0", events=frozenset(), secret=SecretSource(file="/dev/zero"))
    with pytest.raises(NodeFailed, match="it is a character device, not a regular file"):
        Notifier(AlertsPlan((destination,)), {})
