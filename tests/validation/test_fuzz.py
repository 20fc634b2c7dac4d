"""Random mutations of the shipped specs: ibrun answers valid or invalid, never a traceback."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.cli.entry import main

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
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["validate", str(path)])
            code = 0
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 1), err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith(("ok:", "invalid:"))
    assert all(ERROR_LINE.match(line) for line in lines[:-1]), lines
    assert "Traceback" not in err.getvalue()
