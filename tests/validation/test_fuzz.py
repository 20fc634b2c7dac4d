"""Random mutations of the shipped specs, env files and `--set`s: ibrun answers valid, invalid
(every line located) or a usage error — never a traceback."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.cli.entry import main

# A usage error (exit 2) is one `error: ...` line, or click's `Error: ...` after its usage lines.
USAGE_LINE = re.compile(r"^(error|Error): .+")

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(ROOT.glob("specs/*.yaml"))
ERROR_LINE = re.compile(r"^.+:\d+:\d+: \$.*?: .+$")
JUNK = st.sampled_from(
    [
        "\t",
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "&a ",
        "*a",
        "${",
        "$",
        "\x00",
        "\xff",
        "é",
        "'",
        '"',
        "\n  ",
        "---\n",
        "<<: ",
        "!!python/object ",
        "~",
        "1e999",
        "0x",
        "%",
        "@",
        "`",
        # the hardening classes: deep nesting, control characters, booleans and strings as
        # numbers, infinite and huge numbers, look-alike and invisible characters, special files
        "[" * 80,
        "{a: " * 70,
        "- " * 70,
        '"\\0"',
        '"\\e[31m"',
        '"\\x9b"',
        "true",
        '"4002"',
        ".inf",
        "-.nan",
        "1e308",
        "9" * 5000,
        "\u0441",
        "\u200f",
        "\uff43",
        "\u202e",
        "\nextends: /dev/zero\n",
        "\nextends: .\n",
        "\nextends: /etc/passwd\n",
        "\nextends: [../specs/paper.yaml, /proc/self/environ]\n",
        "&r [*r]",
    ]
)


@st.composite
def mutated_spec(draw):
    text = draw(st.sampled_from(SPECS)).read_text()
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 6))
        text = text[:pos] + draw(JUNK) + text[pos + cut :]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_spec())
def test_mutated_specs_never_crash(tmp_path, text):
    path = tmp_path / "mutant.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    code, out, err = run_cli("validate", "--allow-extends", "/", str(path))  # special files too
    assert code in (0, 1), err
    lines = out.splitlines()
    assert lines[-1].startswith(("ok:", "invalid:"))
    assert all(ERROR_LINE.match(line) for line in lines[:-1]), lines
    assert "Traceback" not in err


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


ENV_JUNK = st.sampled_from(
    [b"A=1", b"\xff", b"\xe9", b"\x00", b"${", b"${TID}", b"TID=${TID}", b"'", b'"', b"export ", b"=", b"\r\n", b"\n"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.lists(st.one_of(ENV_JUNK, st.binary(max_size=8)), max_size=12).map(b"".join))
def test_env_files_never_crash(tmp_path, content):
    env = tmp_path / "fuzz.env"
    env.write_bytes(content)
    code, _, err = run_cli("validate", "--env-file", str(env), str(SPECS[0]))
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert USAGE_LINE.match(err.splitlines()[0]), err


SET_JUNK = st.sampled_from(["a", ".", "[0]", "[", "=", "\x00", "\x1b", "\u200f", "[[[[", "{", "true", ".inf", "é"])


@settings(max_examples=60, deadline=None)
@given(assignment=st.lists(st.one_of(SET_JUNK, st.text(max_size=4)), max_size=12).map("".join))
def test_set_assignments_never_crash(assignment):
    code, out, err = run_cli("validate", str(SPECS[0]), "--set", assignment)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    if code == 1:
        assert all(ERROR_LINE.match(line) for line in out.splitlines()[:-1]), out
