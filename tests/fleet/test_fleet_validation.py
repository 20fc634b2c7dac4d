"""Fleet files through `ibrun validate`: the schema, each member under its overrides and the
fleet's wiring, and every fleet-wide rule, each problem located in the fleet file and naming
the member spec's own location."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from runner.cli.app import cli
from runner.cli.app import run as ibrun
from runner.loading.options import LoadOptions
from runner.model.fleet import Fleet
from runner.model.fleet_parse import FLEET_CORE_SCHEMA_FILE
from runner.model.schema import FLEET_SCHEMA_FILE, render_core_schema, render_fleet_schema
from runner.validation.batch import check_path
from runner.validation.fleet import load_fleet
from tests.fleet.conftest import write_fleet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fleet" / "fleet.yaml"


def issues(path: Path, **environ: str) -> list[str]:
    result = check_path(str(path), LoadOptions(environ=environ))
    return [str(issue) for issue in result.issues]


def test_committed_fleet_schemas_are_up_to_date() -> None:
    assert (ROOT / "schemas" / FLEET_SCHEMA_FILE).read_text() == render_fleet_schema(), "run `uv run just schemas`"
    assert Path(FLEET_CORE_SCHEMA_FILE).read_text() == render_core_schema(Fleet), "run `uv run just schemas`"


def test_the_example_fleet_validates_and_its_schema_agrees() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(ROOT / "examples" / "fleet")])
    assert result.exit_code == 0, result.output
    assert "ok: 4 files valid" in result.output
    import yaml

    schema = json.loads((ROOT / "schemas" / FLEET_SCHEMA_FILE).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(EXAMPLE.read_text()))) == []
    assert EXAMPLE.read_text().splitlines()[0] == f"# yaml-language-server: $schema=../../schemas/{FLEET_SCHEMA_FILE}"


def test_a_valid_test_fleet_loads_with_its_members(tmp_path: Path) -> None:
    loaded = load_fleet(write_fleet(tmp_path, name="ok"))
    assert [m.member.name for m in loaded.members] == ["a", "b"]
    assert loaded.members[0].spec.gateway.host == "gateway-paper"
    assert loaded.members[0].spec.gateway.port == 4004
    assert loaded.members[0].spec.monitoring.listen == "0.0.0.0:9464"


def _fleet(tmp_path: Path, members: str, gateways: str = "", extra_specs: dict[str, str] | None = None) -> Path:
    write_fleet(tmp_path, name="base")
    for name, text in (extra_specs or {}).items():
        (tmp_path / "specs" / name).write_text(text)
    fleet = tmp_path / "bad.yaml"
    fleet.write_text(
        "kind: fleet\nversion: 1\nname: bad\ngateways:\n"
        "  paper:\n    trading_mode: paper\n    username: {env: U1}\n    password: {file: ./pw}\n"
        "    read_only_api: false\n" + gateways + "members:\n" + members
    )
    return fleet


def test_same_client_id_on_one_gateway_names_both_members(tmp_path: Path) -> None:
    fleet = _fleet(
        tmp_path,
        "  - {name: a, spec: specs/a.yaml, gateway: paper}\n"
        "  - {name: c, spec: specs/b.yaml, gateway: paper, set: [data.client_id=12, trader_id=C-001]}\n",
    )
    (found,) = issues(fleet)
    assert found.startswith(f"{fleet}:12:5: $.members[1]: member c: data client id 12 (members[1].set[0])")
    assert "member a's exec client id" in found and "a.yaml:13:3" in found and "error 326" in found


def test_client_ids_on_different_gateways_do_not_collide(tmp_path: Path) -> None:
    gateways = "  other:\n    trading_mode: paper\n    username: {env: U2}\n    password: {env: P2}\n"
    fleet = _fleet(
        tmp_path,
        "  - {name: a, spec: specs/a.yaml, gateway: paper}\n"
        "  - {name: c, spec: specs/a.yaml, gateway: other, set: [trader_id=C-001]}\n",
        gateways,
    )
    assert issues(fleet) == []


def test_one_login_on_two_gateways(tmp_path: Path) -> None:
    gateways = "  again:\n    trading_mode: paper\n    username: {env: U1}\n    password: {env: P2}\n"
    fleet = _fleet(tmp_path, "  - {name: a, spec: specs/a.yaml, gateway: paper}\n", gateways)
    (found,) = issues(fleet)
    assert "$.gateways.again.username: gateway 'again' logs in with the same username (env U1)" in found
    assert found.startswith(f"{fleet}:12:15:")


def test_live_member_needs_the_fleet_confirmation(tmp_path: Path) -> None:
    gateways = (
        "  live:\n    trading_mode: live\n    username: {env: U2}\n    password: {env: P2}\n    read_only_api: false\n"
    )
    member = "  - {name: a, spec: specs/a.yaml, gateway: live, set: [gateway.trading_mode=live]}\n"
    fleet = _fleet(tmp_path, member, gateways)
    (found,) = issues(fleet)
    assert "member a trades live" in found and "confirm_live: true" in found
    confirmed = _fleet(tmp_path, member.replace("}", ", confirm_live: true}"), gateways)
    assert issues(confirmed) == []


def test_a_spec_never_changes_trading_mode_through_a_fleet(tmp_path: Path) -> None:
    gateways = "  live:\n    trading_mode: live\n    username: {env: U2}\n    password: {env: P2}\n"
    fleet = _fleet(tmp_path, "  - {name: a, spec: specs/a.yaml, gateway: live}\n", gateways)
    (found,) = issues(fleet)
    assert "$.members[0].gateway: member a's spec trades paper (" in found and "gateway 'live' is live" in found


def test_shared_trader_id_is_one_redis_keyspace(tmp_path: Path) -> None:
    fleet = _fleet(
        tmp_path,
        "  - {name: a, spec: specs/a.yaml, gateway: paper}\n"
        "  - {name: c, spec: specs/b.yaml, gateway: paper, set: [trader_id=FLEETA-001]}\n",
    )
    (found,) = issues(fleet)
    assert "trader id FLEETA-001 (members[1].set[0]) is also member a's (" in found
    assert "Redis keyspace (trader-FLEETA-001)" in found


def test_market_data_lines_of_a_login(tmp_path: Path) -> None:
    fleet = _fleet(
        tmp_path,
        "  - {name: a, spec: specs/a.yaml, gateway: paper}\n  - {name: b, spec: specs/b.yaml, gateway: paper}\n",
    )
    text = fleet.read_text().replace("read_only_api: false\n", "read_only_api: false\n    market_data_lines: 1\n")
    fleet.write_text(text)
    (found,) = issues(fleet)
    assert "$.gateways.paper.market_data_lines: the members on gateway 'paper' subscribe to 2 instruments" in found
    assert "(a 1, b 1)" in found and "1 market-data lines" in found


def test_member_errors_point_at_the_fleet_set_entry_or_the_spec(tmp_path: Path) -> None:
    fleet = _fleet(
        tmp_path,
        "  - name: a\n    spec: specs/a.yaml\n    gateway: paper\n    set: [data.clientid=3]\n"
        "  - {name: b, spec: specs/missing.yaml, gateway: paper}\n"
        "  - {name: c, spec: specs/broken.yaml, gateway: nowhere}\n",
        extra_specs={"broken.yaml": "version: 1\n"},
    )
    found = issues(fleet)
    assert f"{fleet}:14:11: $.data.clientid: member a: unknown key 'clientid'; did you mean 'client_id'?" in found
    assert any("$.members[1].spec: member b: spec file not found" in line for line in found)
    assert any("$.members[2].gateway: unknown gateway 'nowhere' (gateways: paper)" in line for line in found)


def test_a_member_with_a_probe_client_id(tmp_path: Path) -> None:
    fleet = _fleet(tmp_path, "  - {name: a, spec: specs/a.yaml, gateway: paper, set: [data.client_id=1999990005]}\n")
    (found,) = issues(fleet)
    assert "in the range ibrun's gateway probes use" in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: fleet\nversion: 1\nname: Bad_Name\ngateways: {}\nmembers: []\n", "$.name: does not match"),
        ("kind: fleet\nversion: 1\nname: x\ngateways: {}\nmembers: []\nmember: 1\n", "unknown key 'member'"),
    ],
)
def test_schema_errors_are_located(tmp_path: Path, text: str, expected: str) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(text)
    assert any(expected in line for line in issues(fleet))


def test_export_of_an_invalid_fleet_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = _fleet(tmp_path, "  - {name: a, spec: specs/missing.yaml, gateway: paper}\n")
    assert ibrun(["export", "compose", str(fleet)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "spec file not found" in captured.err and "Traceback" not in captured.err
    assert ibrun(["export", "k8s", str(tmp_path / "specs" / "a.yaml")]) == 2
    assert "not a fleet file" in capsys.readouterr().err


def test_a_secret_in_a_gateways_environment(tmp_path: Path) -> None:
    fleet = _fleet(tmp_path, "  - {name: a, spec: specs/a.yaml, gateway: paper}\n")
    fleet.write_text(
        fleet.read_text().replace("read_only_api: false\n", "read_only_api: false\n    env: {TWS_PASSWORD: x}\n", 1)
    )
    (found,) = issues(fleet)
    assert "$.gateways.paper.env.TWS_PASSWORD: TWS_PASSWORD looks like a secret" in found


def test_a_fleet_given_where_a_spec_belongs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ibrun(["run", str(EXAMPLE), "--dry-run"]) == 1
    assert "$.kind: this is a fleet file, not a spec: `ibrun export compose|k8s` deploys it" in capsys.readouterr().err
    fleet = _fleet(tmp_path, "  - {name: a, spec: fleet.yaml, gateway: paper}\n")
    (tmp_path / "fleet.yaml").write_text(EXAMPLE.read_text())
    assert any("member a: this is a fleet file, not a spec" in line for line in issues(fleet))
