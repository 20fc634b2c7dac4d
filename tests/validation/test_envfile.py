"""`--env-file`: compose-style files read with spec interpolation rules; every problem located,
exit 2, never a traceback."""

from __future__ import annotations

import os

import pytest

from runner.loading.envfile import EnvFileError, read_env_file


def env_file(tmp_path, content: str | bytes):
    path = tmp_path / "vars.env"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_values_quotes_comments_and_interpolation(tmp_path):
    path = env_file(
        tmp_path,
        "# c\nexport A=1\nB='lit${A}'\nC=\"${A}-${HOME_DIR}\"\nD=${A:+set}\nE\nF=${MISSING-}\n",
    )
    assert read_env_file(path, {"HOME_DIR": "/h"}) == {"A": "1", "B": "lit${A}", "C": "1-/h", "D": "set", "F": ""}


def test_the_environment_wins_in_references_too(tmp_path):
    assert read_env_file(env_file(tmp_path, "A=file\nB=${A}\n"), {"A": "env"})["B"] == "env"


def problems(path, environ=None) -> list[str]:
    with pytest.raises(EnvFileError) as info:
        read_env_file(path, environ or {})
    return info.value.problems


def test_a_self_reference_to_an_unset_variable_is_located(tmp_path):
    path = env_file(tmp_path, "OK=1\nTID=${TID}\n")
    [message] = problems(path)
    assert message.startswith(f"env file {path}:2:5: TID: variable TID is not set")


def test_bad_lines_are_located(tmp_path):
    path = env_file(tmp_path, "A=1\nthis is not an assignment\nB=${\n")
    assert problems(path) == [
        f"env file {path}:2:1: expected KEY=VALUE (or a # comment)",
        f"env file {path}:3:3: B: invalid variable name in '${{'",
    ]


def test_not_utf8_is_located_at_the_byte(tmp_path):
    path = env_file(tmp_path, b"A=1\nB=caf\xe9\n")
    assert problems(path) == [f"env file {path}:2:6 is not valid UTF-8 (byte 0xe9)"]


@pytest.mark.parametrize(
    ("name", "what"),
    [("/dev/zero", "is a character device, not a regular file"), ("{tmp}", "is a directory, not a regular file")],
)
def test_special_files_are_refused_without_reading_them(tmp_path, name, what):
    path = name.format(tmp=tmp_path)
    assert problems(path) == [f"env file {path} {what}"]


def test_a_fifo_does_not_block(tmp_path):
    fifo = tmp_path / "vars.env"
    os.mkfifo(fifo)
    assert problems(fifo) == [f"env file {fifo} is a FIFO (named pipe), not a regular file"]


def test_a_huge_file_is_refused(tmp_path):
    path = env_file(tmp_path, "A=" + "x" * (1024 * 1024) + "\n")
    assert problems(path) == [f"env file {path} is larger than 1 MiB"]


@pytest.mark.parametrize("command", ["validate", "render", "config", "download"])
def test_every_command_reports_it_as_a_usage_error(ibrun, tmp_path, command):
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\ntrader_id: ${TID}\n")
    path = env_file(tmp_path, b"TID=caf\xe9\n")
    result = ibrun(command, str(spec), "--env-file", str(path))
    assert result.exit_code == 2, result
    assert result.stderr == f"error: env file {path}:1:8 is not valid UTF-8 (byte 0xe9)\n"
    assert "Traceback" not in result.stdout + result.stderr
