"""`ibrun render` / `ibrun diff`: documents, round trip, masking, and the click commands."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
import yaml
from click.testing import CliRunner

from runner.cli.render import diff_command, render_command
from runner.compile.compiler import compile_spec
from runner.compile.diff import Change, diff_documents, format_change, mask_change
from runner.compile.render import canonical, node_document, parse_rendered
from runner.model.parse import parse_spec
from runner.model.secrets import MASK, mask_secrets

SPECS = Path(__file__).resolve().parents[2] / "specs"
ACCOUNT_PATH = "$.exec_clients.INTERACTIVE_BROKERS.account_id"


def compile_dict(**sections):
    return compile_spec(parse_spec({"version": 1, **sections}))


def write_spec(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


# --- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["paper", "multi-client", "derivatives", "instruments"])
def test_rendered_json_parses_back_to_an_equal_node(name: str) -> None:
    from runner.validation.pipeline import load_spec

    compiled = compile_spec(load_spec(SPECS / f"{name}.yaml").spec)
    rendered = json.dumps(node_document(compiled, show_secrets=True))
    reparsed = parse_rendered(rendered)
    assert canonical(msgspec.json.decode(reparsed.json())) == canonical(msgspec.json.decode(compiled.node.json()))
    assert type(reparsed.data_clients["INTERACTIVE_BROKERS"]) is type(compiled.data_client)


def test_document_is_nautilus_json_with_set_order_canonical() -> None:
    forward = compile_dict(instruments={"load_ids": ["SPY.ARCA", "AAPL.NASDAQ", "EUR/USD.IDEALPRO"]})
    backward = compile_dict(instruments={"load_ids": ["EUR/USD.IDEALPRO", "AAPL.NASDAQ", "SPY.ARCA"]})
    document = node_document(forward)
    provider = document["data_clients"]["INTERACTIVE_BROKERS"]["instrument_provider"]
    assert provider["load_ids"] == ["AAPL.NASDAQ", "EUR/USD.IDEALPRO", "SPY.ARCA"]
    assert document == node_document(backward)
    assert set(document) == set(msgspec.json.decode(forward.node.json()))


def test_account_id_and_credential_like_keys_are_masked_unless_shown() -> None:
    compiled = compile_dict(
        exec={"account_id": "U1234567"},
        node={"strategies": [{"path": "a.b:C", "config": {"api_key": "k", "size": 1}}]},
    )
    masked = node_document(compiled)
    assert masked["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] == MASK
    assert masked["strategies"][0]["config"] == {"api_key": MASK, "size": 1}
    assert "U1234567" not in json.dumps(masked)
    shown = node_document(compiled, show_secrets=True)
    assert shown["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] == "U1234567"


def test_unset_secrets_stay_visible_as_null() -> None:
    document = node_document(compile_dict(exec={}))
    assert document["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] is None
    assert mask_secrets({"password": None, "token": "", "x": {"secret": "s"}}) == {
        "password": None,
        "token": "",
        "x": {"secret": MASK},
    }


# --- diff -------------------------------------------------------------------------------------


def test_diff_reports_paths_changes_and_set_members() -> None:
    old = {"a": {"port": 7497, "load_ids": ["A.X", "B.X"]}, "gone": 1, "list": [1, 2]}
    new = {"a": {"port": 4001, "load_ids": ["B.X", "C.X"]}, "list": [1, 3], "new-key": True}
    assert diff_documents(old, new) == [
        Change("$.a.port", "changed", 7497, 4001),
        Change("$.a.load_ids", "removed", old="A.X"),
        Change("$.a.load_ids", "added", new="C.X"),
        Change("$.gone", "removed", old=1),
        Change("$.list[1]", "changed", 2, 3),
        Change('$["new-key"]', "added", new=True),
    ]
    assert diff_documents(old, old) == []


def test_change_lines_are_readable() -> None:
    assert format_change(Change("$.x.ibg_port", "changed", 7497, 4001)) == "$.x.ibg_port: 7497 → 4001"
    assert format_change(Change("$.x.load_ids", "added", new="QQQ.NASDAQ")) == ('$.x.load_ids: + "QQQ.NASDAQ"')
    assert format_change(Change("$.c.market_data_type", "changed", 4, 1)).endswith("(DELAYED_FROZEN → REALTIME)")


def test_changed_secret_is_reported_but_masked() -> None:
    change = mask_change(Change(ACCOUNT_PATH, "changed", "DU1", "U2"))
    assert format_change(change) == f"{ACCOUNT_PATH}: {MASK} → {MASK}"


# --- click commands ---------------------------------------------------------------------------


def test_render_prints_json_on_stdout_and_the_gateway_on_stderr() -> None:
    result = CliRunner().invoke(render_command, [str(SPECS / "paper.yaml")])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["trader_id"] == "PAPER-TRADER-001"
    assert document["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] == MASK
    assert "existing tws (paper) at 127.0.0.1:7497" in result.stderr


def test_render_yaml_is_the_same_document_with_a_comment_header(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "docker.yaml", "version: 1\ngateway: {docker: {}}\n")
    json_result = CliRunner().invoke(render_command, [str(spec)])
    yaml_result = CliRunner().invoke(render_command, [str(spec), "--format", "yaml"])
    assert yaml_result.exit_code == 0, yaml_result.output
    assert yaml_result.stdout.startswith("# gateway: docker")
    assert "placeholder (127.0.0.1:4002" in yaml_result.stdout
    assert yaml.safe_load(yaml_result.stdout) == json.loads(json_result.stdout)


def test_render_options_reach_the_loader(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "s.yaml", "version: 1\nexec: {account_id: '${ACCT:-DU1}'}\n")
    env_file = write_spec(tmp_path, "vars.env", "ACCT=DU777\n")
    args = [str(spec), "--show-secrets", "--env-file", str(env_file), "--set", "data.client_id=9"]
    result = CliRunner().invoke(render_command, args, env={"ACCT": None})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["exec_clients"]["INTERACTIVE_BROKERS"]["account_id"] == "DU777"
    assert document["data_clients"]["INTERACTIVE_BROKERS"]["ibg_client_id"] == 9


def test_diff_of_identical_specs_exits_0_with_no_output() -> None:
    paper = str(SPECS / "paper.yaml")
    result = CliRunner().invoke(diff_command, [paper, paper])
    assert (result.exit_code, result.stdout) == (0, "")


def test_diff_lists_changed_paths_and_exits_1(tmp_path: Path) -> None:
    old = write_spec(tmp_path, "old.yaml", "version: 1\ngateway: {port: 7497}\nexec: {}\n")
    new = write_spec(tmp_path, "new.yaml", "version: 1\ngateway: {port: 4001}\nexec: {}\n")
    result = CliRunner().invoke(diff_command, [str(old), str(new)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "$.data_clients.INTERACTIVE_BROKERS.ibg_port: 7497 → 4001",
        "$.exec_clients.INTERACTIVE_BROKERS.ibg_port: 7497 → 4001",
    ]
    as_json = CliRunner().invoke(diff_command, [str(old), str(new), "--format", "json"])
    assert json.loads(as_json.stdout)[0] == {
        "path": "$.data_clients.INTERACTIVE_BROKERS.ibg_port",
        "kind": "changed",
        "old": 7497,
        "new": 4001,
    }


def test_unified_diff_masks_secrets_but_says_they_differ(tmp_path: Path) -> None:
    old = write_spec(tmp_path, "old.yaml", "version: 1\nexec: {account_id: DU1}\n")
    new = write_spec(tmp_path, "new.yaml", "version: 1\nexec: {account_id: DU2}\n")
    result = CliRunner().invoke(diff_command, [str(old), str(new), "--format", "unified"])
    assert result.exit_code == 1
    assert "DU1" not in result.stdout and "DU2" not in result.stdout
    assert f"# secret value differs: {ACCOUNT_PATH}" in result.stdout
    shown = CliRunner().invoke(diff_command, [str(old), str(new), "--show-secrets"])
    assert shown.stdout == f'{ACCOUNT_PATH}: "DU1" → "DU2"\n'


def test_ibrun_main_keeps_diff_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    # Through the real entry point (standalone_mode=False), not only click's test runner.
    from runner.cli.entry import main

    paper = str(SPECS / "paper.yaml")
    with pytest.raises(SystemExit) as differ:
        main(["diff", paper, str(SPECS / "multi-client.yaml")])
    assert differ.value.code == 1
    main(["diff", paper, paper])  # identical: returns normally, i.e. exit status 0
    assert "ibg_client_id: 1 → 2" in capsys.readouterr().out
