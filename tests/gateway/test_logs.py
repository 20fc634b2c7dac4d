"""`ibrun gateway logs`: whole lines, tailed by ibrun (podman's own tail joins split lines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runner.cli.gateway import log_lines
from runner.gateway.container import log_tail, tail_lines

LOG = b"**\n.> API_PORT set to: 4002\n.> SOCAT_PORT set to: 4004\n.> Starting IBC\nIBC: Login has completed\n"


class FakeContainer:
    """`logs()` like the docker SDK: bytes, or a stream of arbitrary chunks with follow."""

    def __init__(self, snapshot: bytes, stream: list[bytes] | None = None) -> None:
        self.snapshot, self.stream = snapshot, stream or []
        self.calls: list[dict[str, Any]] = []

    def logs(self, **options: Any) -> bytes | Iterator[bytes]:
        self.calls.append(options)
        return iter(self.stream) if options.get("stream") else self.snapshot


def test_tail_lines_keeps_line_ends() -> None:
    assert tail_lines("a\nb\nc\n", 2) == ["b\n", "c\n"]
    assert tail_lines("a\nb\n", 0) == ["a\n", "b\n"]
    assert tail_lines("", 5) == []


def test_logs_are_tailed_by_ibrun_not_the_engine() -> None:
    container = FakeContainer(LOG)
    assert "".join(log_lines(container, 2, follow=False)) == ".> Starting IBC\nIBC: Login has completed\n"
    assert all(call["tail"] == "all" for call in container.calls)
    assert "".join(log_lines(FakeContainer(LOG), 0, follow=False)) == LOG.decode()


def test_log_tail_for_error_messages() -> None:
    assert log_tail(FakeContainer(LOG), 2) == ".> Starting IBC\nIBC: Login has completed"


def test_partial_last_line_is_ended() -> None:
    lines = list(log_lines(FakeContainer(b"one\ntw"), 5, follow=False))
    assert lines == ["one\n", "tw\n"]


def test_follow_skips_what_was_printed_and_yields_whole_lines() -> None:
    # The follow stream restarts from the first line, in chunks that split lines anywhere.
    full = LOG + b"new line one\nnew line two\n"
    chunks = [full[i : i + 7] for i in range(0, len(full), 7)]
    lines = list(log_lines(FakeContainer(LOG + b"new li", chunks), 1, follow=True))
    assert lines == ["IBC: Login has completed\n", "new line one\n", "new line two\n"]
