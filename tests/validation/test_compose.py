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
    (tmp_path / ".git").mkdir()  # a repository: extends may leave the spec's directory
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


def test_set_quoted_values_are_strings(tmp_path):
    """A value that would be a list or a number as YAML, quoted: `[::1]:9090`, `"007"`."""
    spec = write(tmp_path, "s.yaml", "version: 1\n")
    sets = ('monitoring.listen="[::1]:9090"', "trader_id='007'", "gateway.host=it's")
    result = assemble(spec, {}, sets)
    assert result.issues == ()
    assert result.data["monitoring"] == {"listen": "[::1]:9090"}
    assert result.data["trader_id"] == "007"
    assert result.data["gateway"] == {"host": "it's"}  # plain: a quote inside is kept
    [issue] = assemble(spec, {}, ('trader_id="A-1',)).issues
    assert issue.location.file == "<--set>" and "while scanning a quoted scalar" in issue.message


def test_bad_set_expressions_are_reported(tmp_path):
    spec = write(tmp_path, "s.yaml", "version: 1\n")
    issues = assemble(spec, {}, ("novalue", "version.x=1")).issues
    assert [i.location.line for i in issues] == [1, 2]
    assert "KEY.PATH=VALUE" in issues[0].message


STRATEGY_SPEC = """version: 1
node:
  strategies:
    - path: a.b:C
      config: {x: 0, y: 1}
"""


def test_set_index_replaces_a_field_of_an_existing_list_element(tmp_path):
    spec = write(tmp_path, "s.yaml", STRATEGY_SPEC)
    result = assemble(spec, {}, ("node.strategies[0].config.x=1", "node.strategies[0].path=d.e:F"))
    assert result.issues == ()
    assert result.data["node"]["strategies"] == [{"path": "d.e:F", "config": {"x": 1, "y": 1}}]
    # the value column of each --set, and its key's column for unknown-key errors
    assert result.positions.locate(("node", "strategies", 0, "config", "x")) == Location("<--set>", 1, 29)
    assert result.positions.locate(("node", "strategies", 0, "config", "x"), key=True) == Location("<--set>", 1, 27)
    assert result.positions.locate(("node", "strategies", 0, "config", "y")) == Location(spec, 5, 25)


def test_set_nested_indices_and_the_dotted_index_spelling(tmp_path):
    spec = write(tmp_path, "s.yaml", "version: 1\nm: [[a, b], [c]]\nn: [null]\n")
    result = assemble(spec, {}, ("m[0][1]=B", "m.1.0=C", "n[0].x=1"))
    assert result.issues == ()
    assert result.data["m"] == [["a", "B"], ["C"]]
    assert result.data["n"] == [{"x": 1}]  # an element written as null becomes a mapping


def test_set_index_out_of_range_is_an_error_at_the_set(tmp_path):
    spec = write(tmp_path, "s.yaml", STRATEGY_SPEC)
    result = assemble(spec, {}, ("data.client_id=2", "node.strategies[1].config.x=1"))
    [issue] = result.issues
    assert (issue.location, issue.json_path) == (Location("<--set>", 2, 16), "$.node.strategies")  # at `[1]`
    assert issue.message == "--set node.strategies[1]: index 1 is out of range: the list has 1 element"
    assert result.data["node"]["strategies"] == [{"path": "a.b:C", "config": {"x": 0, "y": 1}}]


def test_set_index_into_what_is_not_a_list_is_an_error_at_the_set(tmp_path):
    spec = write(tmp_path, "s.yaml", STRATEGY_SPEC)
    result = assemble(spec, {}, ("node[0]=1", "node.actors[0].path=x:Y", "fresh.sub.list[0]=1", "version.x=1"))
    assert [(i.location, i.message) for i in result.issues] == [
        (Location("<--set>", 1, 5), "--set node[0]: the value here is a mapping, not a list"),
        (Location("<--set>", 2, 12), "--set node.actors[0]: not set, so it has no element 0"),
        (Location("<--set>", 3, 15), "--set fresh.sub.list[0]: not set, so it has no element 0"),
        (Location("<--set>", 4, 9), "--set version.x: the value here is a number, not a mapping or a list"),
    ]
    assert set(result.data) == {"version", "node"}  # a failed --set leaves nothing half-made


def test_malformed_set_paths_are_errors_at_the_set(tmp_path):
    spec = write(tmp_path, "s.yaml", "version: 1\n")
    issues = assemble(spec, {}, ("a..b=1", "a[x]=1", "a[0=1", ".a=1", "a.=1")).issues
    assert [(i.location.line, i.location.col) for i in issues] == [(1, 3), (2, 2), (3, 2), (4, 1), (5, 3)]
    assert all(i.location.file == "<--set>" for i in issues)
    assert issues[0].message == "--set a..b=1: empty key at column 3"
    assert issues[1].message == "--set a[x]=1: expected a list index such as [0] at column 2"


def test_keys_created_by_set_are_located_at_the_set(tmp_path):
    # An unknown key that only --set wrote must point at the --set, not at the spec file.
    spec = write(tmp_path, "s.yaml", "version: 1\nnode: {}\n")
    result = assemble(spec, {}, ("bogus.x=1", "version=1", "node.extra.deep=2"))
    assert result.positions.locate(("bogus",), key=True) == Location("<--set>", 1, 1)
    assert result.positions.locate(("bogus",)) == Location("<--set>", 1, 1)
    assert result.positions.locate(("node", "extra"), key=True) == Location("<--set>", 3, 6)
    assert result.positions.locate(("node",)) == Location(spec, 2, 7)
