import time

import pytest

from runner.errors import Location
from runner.loading.yamlfile import MAX_FILE_BYTES, YamlError, read_document


def write(tmp_path, text: str | bytes, name: str = "spec.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def error_of(path: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        read_document(path)
    return info.value


def test_positions_of_values_and_keys(tmp_path):
    path = write(tmp_path, "version: 1\ngateway:\n  host: 10.0.0.1\n  port: 4002\nlist:\n  - a\n  - b\n")
    doc, problems = read_document(path)
    assert problems == []
    assert doc.positions.values[("gateway", "port")] == Location(path, 4, 9)
    assert doc.positions.keys[("gateway", "port")] == Location(path, 4, 3)
    assert doc.positions.values[("list", 1)] == Location(path, 7, 5)


def test_yaml_1_2_core_schema_scalars(tmp_path):
    path = write(tmp_path, "a: on\nb: no\nc: 1:30\nd: 0x1F\ne: 012\nf: true\ng: ~\nh: 2024-03-15\ni: 1.5e3\n")
    doc, _ = read_document(path)
    assert doc.data == {
        "a": "on",
        "b": "no",
        "c": "1:30",
        "d": 31,
        "e": 12,
        "f": True,
        "g": None,
        "h": "2024-03-15",
        "i": 1500.0,
    }


def test_special_floats_and_explicit_tags_read_as_pydantic_expects(tmp_path):
    # the common scalars are built without PyYAML's constructor; these still go through it
    text = "a: .inf\nb: -.Inf\nc: .NaN\nd: !!bool yes\ne: !!float 1_000\nf: !!str 12\ng: NULL\nh: -.5\ni: 0o17\n"
    data = read_document(write(tmp_path, text))[0].data
    assert (data["a"], data["b"], data["c"] != data["c"]) == (float("inf"), float("-inf"), True)
    assert (data["d"], data["e"], data["f"], data["g"], data["h"], data["i"]) == (True, 1000.0, "12", None, -0.5, 15)
    assert (
        "could not determine a constructor"
        in error_of(write(tmp_path, "a: !!python/object:os.system x\n", "b.yaml")).message
    )


def test_interpolated_plain_scalars_are_typed_quoted_stay_strings(tmp_path):
    path = write(tmp_path, 'port: ${P}\nquoted: "${P}"\nflag: ${F}\n')
    env = {"P": "4002", "F": "true"}

    doc, problems = read_document(path, env)
    assert problems == []
    assert doc.data == {"port": 4002, "quoted": "4002", "flag": True}


def test_interpolation_problems_are_collected_with_locations(tmp_path):
    path = write(tmp_path, "a: ${MISSING1}\nb: ok\nc: ${MISSING2}\n")

    _, problems = read_document(path, {})
    assert [(p.location.line, p.location.col) for p in problems] == [(1, 4), (3, 4)]
    assert "MISSING1" in problems[0].message


def test_duplicate_keys_are_refused_with_both_lines(tmp_path):
    err = error_of(write(tmp_path, "version: 1\ndata:\n  client_id: 1\n  client_id: 2\n"))
    assert (err.location.line, err.location.col) == (4, 3)
    assert err.message == "duplicate key 'client_id' (first defined at line 3)"


def test_tabs_in_indentation(tmp_path):
    err = error_of(write(tmp_path, "version: 1\ngateway:\n\thost: x\n"))
    assert err.location.line == 3
    assert "tab" in err.message


def test_malformed_yaml_has_a_location(tmp_path):
    err = error_of(write(tmp_path, "version: 1\ngateway: {host: x\n"))
    assert err.location.line >= 2
    assert err.message.startswith("invalid YAML")


def test_non_utf8_bytes_point_at_the_byte(tmp_path):
    err = error_of(write(tmp_path, b"version: 1\ntrader_id: caf\xe9-1\n"))
    assert (err.location.line, err.location.col) == (2, 15)
    assert "UTF-8" in err.message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_files(tmp_path, text):
    assert "empty" in error_of(write(tmp_path, text)).message


def test_top_level_must_be_a_mapping(tmp_path):
    assert "mapping" in error_of(write(tmp_path, "- a\n- b\n")).message


def test_non_string_keys(tmp_path):
    assert "keys must be strings" in error_of(write(tmp_path, "version: 1\n1: x\n")).message


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    started = time.monotonic()
    err = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert "alias bomb" in err.message
    assert time.monotonic() - started < 30  # a hang would be the bug; not a speed assertion


def test_huge_file_is_refused(tmp_path):
    err = error_of(write(tmp_path, "a: " + "x" * (MAX_FILE_BYTES + 10) + "\n"))
    assert "larger than" in err.message


def test_merge_keys_explicit_keys_win(tmp_path):
    path = write(tmp_path, "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n")
    doc, _ = read_document(path)
    assert doc.data["use"] == {"x": 1, "y": 3}


def test_missing_file(tmp_path):
    err = error_of(str(tmp_path / "nope.yaml"))
    assert err.message == "file does not exist"
