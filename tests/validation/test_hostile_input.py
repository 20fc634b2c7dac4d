"""Hostile input is refused where it is read, with a location — so nothing that validates can
crash a later stage, and every command that loads a spec says the same thing."""

from __future__ import annotations

import json

import pytest

from runner.loading.compose import assemble
from runner.loading.yamlfile import MAX_DEPTH

STRATEGY = "version: 1\nnode:\n  strategies:\n    - path: a.b:C\n      config:\n        x: "
TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels (mappings and lists)"


def spec_file(tmp_path, text: str, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def errors(ibrun, *args: str) -> list[str]:
    result = ibrun("validate", "--format", "json", *args)
    assert result.exit_code == 1, result
    [report] = json.loads(result.stdout)["files"]
    return [f"{e['line']}:{e['column']}: {e['path']}: {e['message']}" for e in report["errors"]]


def same_error_from_other_commands(ibrun, spec: str, expected: str, *args: str) -> None:
    """`render` and `config` share the pipeline: the same located line, exit 1, no traceback."""
    for command in ("render", "config"):
        result = ibrun(command, spec, *args)
        assert result.exit_code == 1, (command, result)
        assert expected in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("levels", [MAX_DEPTH, 700, 5000, 100_000])
def test_deep_nesting_is_refused_where_it_starts(ibrun, tmp_path, levels):
    spec = spec_file(tmp_path, STRATEGY + "[" * levels + "1" + "]" * levels + "\n")
    # levels 1-4 are the spec, node, strategies, the strategy, 5 its config, and `x:`'s lists
    # from column 12 on are levels 6, 7, ...: the first one too deep is level MAX_DEPTH + 1
    column = 12 + (MAX_DEPTH + 1 - 6)
    assert errors(ibrun, spec) == [f"6:{column}: $: {TOO_DEEP}"]
    same_error_from_other_commands(ibrun, spec, f"{spec}:6:{column}: $: {TOO_DEEP}")


def test_the_deepest_allowed_nesting_validates(ibrun, tmp_path):
    levels = MAX_DEPTH - 5  # the config mapping is level 5, `x:`'s lists 6 to MAX_DEPTH
    spec = spec_file(tmp_path, STRATEGY + "[" * levels + "1" + "]" * levels + "\n")
    assert ibrun("validate", spec).exit_code == 0
    assert ibrun("render", spec).exit_code == 0


def test_deep_block_nesting_and_a_recursive_alias(ibrun, tmp_path):
    block = "version: 1\n" + "".join(" " * i + "a:\n" for i in range(2500)) + " " * 2500 + "b: 1\n"
    # the mapping at line N (indented N - 2) is level N - 1
    assert errors(ibrun, spec_file(tmp_path, block)) == [f"{MAX_DEPTH + 2}:{MAX_DEPTH + 1}: $: {TOO_DEEP}"]
    recursive = spec_file(tmp_path, "version: 1\nloop: &a [*a]\n", "alias.yaml")
    assert errors(ibrun, recursive) == [f"2:7: $: {TOO_DEEP}"]


def test_set_paths_and_values_have_the_same_limit(ibrun, tmp_path):
    spec = spec_file(tmp_path, "version: 1\n")
    long_path = ".".join(["a"] * 600) + "=1"
    assert errors(ibrun, spec, "--set", long_path) == [f"1:1: $: --set: the path is 600 keys long: {TOO_DEEP}"]
    deep_value = "x=" + "[" * 70_000 + "]" * 70_000
    assert errors(ibrun, spec, "--set", deep_value) == [f"1:{3 + MAX_DEPTH - 1}: $: --set x: {TOO_DEEP}"]
    same_error_from_other_commands(ibrun, spec, "<--set>:1:1: $: --set: the path is 600 keys long", "--set", long_path)


def test_set_values_read_as_yaml_1_2_like_spec_files(tmp_path):
    spec = spec_file(tmp_path, "version: 1\n")
    data = assemble(spec, {}, ("a=[on, no, 012, ~]",)).data
    assert data is not None and data["a"] == ["on", "no", 12, None]


def test_nul_and_control_characters_are_refused_in_every_string(ibrun, tmp_path, monkeypatch):
    monkeypatch.setenv("IBRUN_TEST_ESC", "red\x1b[31m")
    spec = spec_file(
        tmp_path,
        'version: 1\ntrader_id: "DEMO-TRADER\\0-001"\ndownload:\n  catalog: ${IBRUN_TEST_ESC}\n'
        'node:\n  strategies:\n    - path: a.b:C\n      config: {"k\\x07": 1, note: "tab\\tand\\nnewline are text"}\n',
    )
    assert sorted(errors(ibrun, spec)) == [
        "2:12: $.trader_id: control character U+0000 (NUL) is not allowed in a spec",
        "4:12: $.download.catalog: control character U+001B (ESC) is not allowed in a spec",
        "8:16: $.node.strategies[0].config['k\\x07']: key: control character U+0007 (BEL) is not allowed in a spec",
    ]
    same_error_from_other_commands(
        ibrun, spec, f"{spec}:2:12: $.trader_id: control character U+0000 (NUL) is not allowed in a spec"
    )
    result = ibrun("download", spec)
    assert result.exit_code == 1 and "U+0000 (NUL)" in result.stderr


def test_control_characters_in_set_assignments(ibrun, tmp_path):
    spec = spec_file(tmp_path, "version: 1\n")
    assert errors(ibrun, spec, "--set", "trader_id=A\x01-B") == [
        "1:12: $: --set: the value: control character U+0001 (SOH) is not allowed in a spec"
    ]
    assert errors(ibrun, spec, "--set", 'node.x=["\\e"]') == [
        "1:9: $: --set node.x: control character U+001B (ESC) is not allowed in a spec"
    ]


def test_a_number_too_long_to_read_is_an_error_not_a_traceback(ibrun, tmp_path):
    spec = spec_file(tmp_path, "version: 1\ngateway:\n  port: " + "9" * 5000 + "\n")
    assert errors(ibrun, spec) == ["3:9: $: a number of more than 4300 digits"]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("gateway:\n  port: true", "3:9: $.gateway.port: input should be a valid integer, got True"),
        ("data:\n  client_id: false", "3:14: $.data.client_id: input should be a valid integer, got False"),
        (
            "node:\n  timeouts:\n    connection: true",
            "4:17: $.node.timeouts.connection: input should be a valid number, got True",
        ),
        ("monitoring:\n  tolerance: true", "3:14: $.monitoring.tolerance: input should be a valid number, got True"),
        (
            "gateway:\n  simulated:\n    seed: true",
            "4:11: $.gateway.simulated.seed: input should be a valid integer, got True",
        ),
        ('gateway:\n  port: "4002"', "3:9: $.gateway.port: input should be a valid integer, got '4002'"),
        (
            "data:\n  connection_timeout: 30.0",
            "3:23: $.data.connection_timeout: input should be a valid integer, got 30.0",
        ),
    ],
)
def test_booleans_and_strings_are_no_numbers(ibrun, tmp_path, section, expected):
    assert errors(ibrun, spec_file(tmp_path, f"version: 1\n{section}\n")) == [expected]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1", "1"), ("0", "0"), ('"false"', "'false'"), ("yes", "'yes'"), ("off", "'off'"), ('""', "''")],
)
def test_booleans_are_yaml_booleans_only(ibrun, tmp_path, value, shown):
    """pydantic's lax booleans took `1`, `0` and strings such as `"false"` or `"yes"`."""
    spec = spec_file(tmp_path, f"version: 1\ndata:\n  use_regular_trading_hours: {value}\n")
    assert errors(ibrun, spec) == [
        f"3:30: $.data.use_regular_trading_hours: input should be a valid boolean, got {shown}"
    ]


def test_version_true_is_not_version_1(ibrun, tmp_path):
    assert errors(ibrun, spec_file(tmp_path, "version: true\n")) == [
        "1:10: $.version: input should be a valid integer, got True"
    ]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "node:\n  timeouts:\n    connection: .inf",
            "4:17: $.node.timeouts.connection: input should be a finite number, got inf",
        ),
        (
            "node:\n  timeouts:\n    connection: 1e29",
            "4:17: $.node.timeouts.connection: input should be less than or equal to 31536000, got 1e+29",
        ),
        (
            "node:\n  timeouts:\n    disconnection: 1e308",
            "4:20: $.node.timeouts.disconnection: input should be less than or equal to 31536000, got 1e+308",
        ),
        (
            "node:\n  timeouts:\n    shutdown: 1e999",
            "4:15: $.node.timeouts.shutdown: input should be a finite number, got inf",
        ),
        (
            "monitoring:\n  login_needed_after: .nan",
            "3:23: $.monitoring.login_needed_after: input should be a finite number, got nan",
        ),
        (
            "data:\n  connection_timeout: 100000000000000000000",
            "3:23: $.data.connection_timeout: input should be less than or equal to 31536000, got " + "1" + "0" * 20,
        ),
        (
            "gateway:\n  simulated:\n    seed: 100000000000000000000",
            f"4:11: $.gateway.simulated.seed: input should be less than or equal to {2**63 - 1}, got 1{'0' * 20}",
        ),
        (
            "download:\n  pacing:\n    identical_cooldown_seconds: -.inf",
            "4:33: $.download.pacing.identical_cooldown_seconds: input should be a finite number, got -inf",
        ),
        (
            "instruments:\n  contracts:\n    - {secType: OPT, symbol: SPY, strike: .inf}",
            "4:43: $.instruments.contracts[0].strike: input should be a finite number, got inf",
        ),
    ],
)
def test_numbers_are_finite_and_durations_bounded(ibrun, tmp_path, section, expected):
    spec = spec_file(tmp_path, f"version: 1\n{section}\n")
    assert errors(ibrun, spec) == [expected]
    same_error_from_other_commands(ibrun, spec, f"{spec}:{expected}")


def test_every_seconds_field_is_one_bounded_type():
    # a new seconds field must use Seconds/WholeSeconds (finite, bounded): found by name
    import dataclasses
    import typing

    from runner.model.base import MAX_SECONDS, Frozen
    from runner.model.parse import parse_spec

    def sections(cls):
        yield cls
        for sub in Frozen.__subclasses__() if cls is Frozen else cls.__subclasses__():
            yield from sections(sub)

    del parse_spec  # imported for its side effect: every section module is loaded
    names = []
    for section in set(sections(Frozen)):
        if not dataclasses.is_dataclass(section):
            continue
        hints = typing.get_type_hints(section, include_extras=True)
        for field in dataclasses.fields(section):
            named = "timeout" in field.name or field.name.endswith("seconds") or section.__name__ == "Timeouts"
            if named and any(kind in str(hints[field.name]) for kind in ("int", "float")):
                names.append(f"{section.__name__}.{field.name}")
                assert f"le={MAX_SECONDS}" in _constraints(hints[field.name]), f"{section.__name__}.{field.name}"
    assert len(names) >= 14, names


def _constraints(hint) -> str:
    import typing

    found = []
    for argument in (hint, *typing.get_args(hint)):
        for meta in getattr(argument, "__metadata__", ()):
            values = getattr(meta, "values", {})
            found += [f"{key}={value}" for key, value in values.items()]
    return " ".join(found)


def test_look_alike_keys_say_which_character_is_not_what_it_seems(ibrun, tmp_path):
    spec = spec_file(
        tmp_path,
        "version: 1\ndata:\n  \u0441lient_id: 1\n  \u200fclient_id: 2\n  \uff43lient_id: 3\n  \u0421LIENT_ID: 4\n",
    )
    assert errors(ibrun, spec) == [
        "3:3: $.data.\u0441lient_id: unknown key '\u0441lient_id': contains non-ASCII character U+0441 "
        "(CYRILLIC SMALL LETTER ES); did you mean 'client_id'?",
        "4:3: $.data['\\u200fclient_id']: unknown key '\\u200fclient_id': contains invisible character U+200F "
        "(RIGHT-TO-LEFT MARK); did you mean 'client_id'?",
        "5:3: $.data.\uff43lient_id: unknown key '\uff43lient_id': contains non-ASCII character U+FF43 "
        "(FULLWIDTH LATIN SMALL LETTER C); did you mean 'client_id'?",
        "6:3: $.data.\u0421LIENT_ID: unknown key '\u0421LIENT_ID': contains non-ASCII character U+0421 "
        "(CYRILLIC CAPITAL LETTER ES); did you mean 'client_id'?",
    ]


def test_invisible_and_bidi_characters_are_escaped_in_every_message(ibrun, tmp_path):
    # a value echoed in a message ("got '...'"), a duplicate key, and an error that is no spec issue
    spec = spec_file(tmp_path, 'version: 1\ndata:\n  market_data_type: "LIVE\u202e"\n')
    text = ibrun("validate", spec)
    assert "got 'LIVE\\u202e'" in text.stdout and "\u202e" not in text.stdout
    github = ibrun("validate", "--format", "github", spec)
    assert "\\u202e" in github.stdout and "\u202e" not in github.stdout
    duplicate = spec_file(tmp_path, "version: 1\n\u200bx: 1\n\u200bx: 2\n", "dup.yaml")
    assert errors(ibrun, duplicate) == ["3:1: $: duplicate key '\\u200bx' (first defined at line 2)"]
    missing = ibrun("render", spec, "--env-file", str(tmp_path / "no\u202e.env"))
    assert missing.exit_code == 2 and "\u202e" not in missing.stderr


DOCKER = (
    "version: 1\ngateway:\n  docker:\n    password: {env: IB_LOGIN_2}\n    env:\n"
    "      DISPLAY_NAME: ${IBRUN_TEST_TWS_PASSWORD}\n      TWS_PASSWORD: plain\n"
    '      GREETING: "hi ${IB_LOGIN_2}"\n      TIME_ZONE: ${IBRUN_TEST_TZ}\n      TWS_PASSWORD_FILE: /run/x\n'
)


def test_docker_env_refuses_secret_keys_and_values_from_secret_variables(ibrun, tmp_path, monkeypatch):
    for name, value in {"IBRUN_TEST_TWS_PASSWORD": "hunter2", "IB_LOGIN_2": "s3cret", "IBRUN_TEST_TZ": "UTC"}.items():
        monkeypatch.setenv(name, value)
    spec = spec_file(tmp_path, DOCKER)
    shown = "gateway.docker.env shows in `docker inspect`"
    instead = "use gateway.docker.password or vnc_password ({env: VAR} or {file: PATH}), mounted as a file"
    assert errors(ibrun, spec) == [
        f"6:21: $.gateway.docker.env.DISPLAY_NAME: the value comes from ${{IBRUN_TEST_TWS_PASSWORD}}, a secret: "
        f"{shown}; {instead}",
        f"7:21: $.gateway.docker.env.TWS_PASSWORD: 'TWS_PASSWORD' names a secret: {shown}; {instead}",
        f"8:17: $.gateway.docker.env.GREETING: the value comes from ${{IB_LOGIN_2}}, a secret: {shown}; {instead}",
    ]
    result = ibrun("validate", spec)
    assert "hunter2" not in result.stdout and "s3cret" not in result.stdout
    same_error_from_other_commands(ibrun, spec, "$.gateway.docker.env.TWS_PASSWORD: 'TWS_PASSWORD' names a secret")


def test_an_empty_variable_says_where_the_missing_value_came_from(ibrun, tmp_path, monkeypatch):
    monkeypatch.setenv("IBRUN_TEST_TID", "")
    spec = spec_file(tmp_path, "version: 1\ntrader_id: ${IBRUN_TEST_TID}\n")
    assert errors(ibrun, spec) == [
        "2:12: $.trader_id: input should be a valid string (the value is empty: it comes from ${IBRUN_TEST_TID})"
    ]


def test_run_and_download_refuse_what_used_to_crash_them(ibrun, tmp_path):
    # the probe's cases: `run` died in the start-up handoff (RecursionError, then EBADF), and
    # `download` answered exit 12 "unexpected", for a config 700 levels deep or a NUL in a path
    deep = spec_file(tmp_path, STRATEGY + "[" * 700 + "1" + "]" * 700 + "\n")
    nul = spec_file(
        tmp_path, 'version: 1\ninstruments: {load_ids: [SPY.ARCA]}\ndownload:\n  catalog: "cat\\0x"\n', "n.yaml"
    )
    for command, spec, expected in (
        (("run", "--dry-run"), deep, f"{deep}:6:71: $: {TOO_DEEP}"),
        (("download",), deep, f"{deep}:6:71: $: {TOO_DEEP}"),
        (
            ("download",),
            nul,
            f"{nul}:4:12: $.download.catalog: control character U+0000 (NUL) is not allowed in a spec",
        ),
    ):
        result = ibrun(*command, spec)
        assert result.exit_code == 1, (command, result)
        assert result.stderr.splitlines() == [expected]
