from runner.errors import Location
from runner.loading.compose import assemble


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_extends_deep_merges_mappings_and_replaces_lists(tmp_path):
    base = write(
        tmp_path, "base.yaml", "version: 1\ngateway:\n  host: h\n  port: 4002\ninstruments:\n  load_ids: [A.X, B.X]\n"
    )
    child = write(
        tmp_path, "child.yaml", "extends: base.yaml\ngateway:\n  port: 4001\ninstruments:\n  load_ids: [C.X]\n"
    )
    result = assemble(child, {})
    assert result.issues == ()
    assert result.data == {"version": 1, "gateway": {"host": "h", "port": 4001}, "instruments": {"load_ids": ["C.X"]}}
    assert result.positions.locate(("gateway", "host")) == Location(base, 3, 9)
    assert result.positions.locate(("gateway", "port")) == Location(child, 3, 9)
    assert result.sources == (child, base)


def test_extends_list_applies_in_order_and_relative_to_the_file(tmp_path):
    write(tmp_path, "envs/a.yaml", "version: 1\ntrader_id: A-1\nx: 1\n")
    write(tmp_path, "envs/b.yaml", "trader_id: B-1\n")
    child = write(tmp_path, "envs/sub/c.yaml", "extends: [../a.yaml, ../b.yaml]\ny: 2\n")
    result = assemble(child, {})
    assert result.data == {"version": 1, "trader_id": "B-1", "x": 1, "y": 2}


def test_extends_cycle_shows_the_chain(tmp_path):
    a = write(tmp_path, "a.yaml", "version: 1\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    [issue] = assemble(a, {}).issues
    assert issue.message.startswith("extends cycle: ")
    assert issue.message.endswith("a.yaml → " + str(tmp_path / "b.yaml") + " → " + a)
    assert issue.location.file.endswith("b.yaml")


def test_missing_extended_file_points_at_the_extends_line(tmp_path):
    child = write(tmp_path, "child.yaml", "version: 1\nextends: gone.yaml\n")
    [issue] = assemble(child, {}).issues
    assert issue.location == Location(child, 2, 10)
    assert "extended file not found" in issue.message


def test_error_in_extended_file_points_into_it(tmp_path):
    base = write(tmp_path, "base.yaml", "version: 1\nport: ${NOT_SET}\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    [issue] = assemble(child, {}).issues
    assert issue.location == Location(base, 2, 7)


def test_set_overrides_with_yaml_typed_values(tmp_path):
    spec = write(tmp_path, "s.yaml", "version: 1\ndata:\n  client_id: 1\ninstruments:\n  load_ids: [A.X]\n")
    result = assemble(
        spec,
        {},
        ("data.client_id=7", "instruments.load_ids=[B.X, C.X]", "gateway.host=10.1.1.1", "instruments.load_ids.0=D.X"),
    )
    assert result.issues == ()
    assert result.data["data"]["client_id"] == 7
    assert result.data["instruments"]["load_ids"] == ["D.X", "C.X"]
    assert result.data["gateway"] == {"host": "10.1.1.1"}
    assert result.positions.locate(("data", "client_id")) == Location("<--set>", 1, 16)


def test_bad_set_expressions_are_reported(tmp_path):
    spec = write(tmp_path, "s.yaml", "version: 1\n")
    issues = assemble(spec, {}, ("novalue", "version.x=1")).issues
    assert [i.location.line for i in issues] == [1, 2]
    assert "KEY.PATH=VALUE" in issues[0].message
