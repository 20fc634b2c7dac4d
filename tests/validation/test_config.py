"""`ibrun config SPEC`: the resolved spec in ibrun's keys, each value with where it was set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from runner.loading.options import LoadOptions
from runner.validation.pipeline import load_spec

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = Path("examples/environments")
# `  key: value  # origin` or `  - value  # origin`
LINE = re.compile(r"^(?P<indent>\s*)(?:- )?(?P<key>[^:#\s][^:#]*?)(?::.*?)?\s+# (?P<origin>\S+)$")


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    # Origins are printed as the paths the spec was named by: relative, from the repository.
    monkeypatch.chdir(ROOT)
    for name in ("TWS_ACCOUNT", "IB_HOST", "IBRUN_LOG_DIR"):
        monkeypatch.delenv(name, raising=False)


def origins(text: str) -> dict[str, str]:
    """Dotted key path → origin comment, from the printed document (scalar list items as
    `key[i]`; the keys of mappings in a list as if the list were a mapping)."""
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    counters: dict[str, int] = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        item = line.lstrip().startswith("- ")
        indent = len(match["indent"]) + (2 if item else 0)  # a list item's key is after its dash
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        if item and ":" not in line.split("#")[0]:
            index = counters[parent] = counters.get(parent, -1) + 1
            found[f"{parent}[{index}]"] = match["origin"]
            continue
        path = f"{parent}.{match['key']}" if parent else match["key"]
        found[path] = match["origin"]
        stack.append((indent, path))
    return found


def line_of(path: Path, text: str) -> str:
    """`path:N` of the first line of `path` that starts with `text` (after indentation)."""
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.lstrip().startswith(text))
    return f"{path}:{number}"


def test_overlays_show_which_file_sets_each_value(ibrun):
    base, live = ENVIRONMENTS / "base.yaml", ENVIRONMENTS / "live.yaml"
    result = ibrun("config", str(live))
    assert result.exit_code == 0, result.stderr
    where = origins(result.stdout)
    assert where["trader_id"] == line_of(live, "trader_id:")
    assert where["gateway"] == line_of(live, "gateway:")  # merged: the overlay's mapping
    assert where["gateway.host"] == line_of(base, "host:")  # ... keeps the base's host
    assert where["gateway.trading_mode"] == line_of(live, "trading_mode: live")
    assert where["gateway.docker.username.env"] == line_of(live, "username:")
    assert where["gateway.docker.image"] == "default"
    assert where["instruments.load_ids"] == line_of(base, "load_ids:")
    assert where["instruments.load_ids[1]"] == line_of(base, "- SPY.ARCA")
    assert where["data.client_id"] == line_of(base, "client_id: 1")
    assert where["data.market_data_type"] == line_of(live, "market_data_type:")
    assert where["data.connection_timeout"] == "default"
    assert where["node.logging.directory"] == line_of(live, "directory:")  # ${IBRUN_LOG_DIR:-logs}


def test_a_list_in_an_overlay_replaces_the_bases(ibrun):
    ci = ENVIRONMENTS / "ci.yaml"
    where = origins(ibrun("config", str(ci)).stdout)
    assert where["instruments.load_ids"] == line_of(ci, "load_ids:")
    assert where["instruments.load_ids[0]"] == line_of(ci, "- EUR/USD.IDEALPRO")
    assert "instruments.load_ids[1]" not in where
    assert where["gateway.simulated.seed"] == line_of(ci, "seed:")
    assert where["gateway.simulated.pacing.max_requests"] == "default"


def test_set_values_say_so(ibrun):
    result = ibrun(
        "config",
        str(ENVIRONMENTS / "paper.yaml"),
        "--set",
        "data.client_id=7",
        "--set",
        "node.strategies=[{path: 'examples.strategies.demo:DemoStrategy', config: {size: 2}}]",
    )
    where = origins(result.stdout)
    assert "  client_id: 7 " in result.stdout
    assert where["data.client_id"] == "--set"
    assert where["node.strategies"] == "--set"
    assert where["node.strategies.config.size"] == "--set"  # inside the value the --set wrote


def test_secrets_are_masked_and_secret_references_shown(ibrun, monkeypatch):
    monkeypatch.setenv("TWS_ACCOUNT", "U7654321")
    strategy = "node.strategies=[{path: 'examples.strategies.demo:DemoStrategy', config: {api_key: k-123}}]"
    live = ibrun("config", str(ENVIRONMENTS / "live.yaml"), "--set", strategy)
    assert "U7654321" not in live.stdout and "k-123" not in live.stdout
    assert "account_id: '********'" in live.stdout
    assert "api_key: '********'" in live.stdout
    assert "env: TWS_USERNAME" in live.stdout  # a reference, never a value
    shown = ibrun("config", str(ENVIRONMENTS / "live.yaml"), "--show-secrets")
    assert "account_id: U7654321" in shown.stdout


SPECS = [*sorted(ROOT.glob("specs/*.yaml")), *sorted((ROOT / ENVIRONMENTS).glob("*.yaml"))]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_the_output_validates_back_to_the_same_spec(ibrun, tmp_path, path):
    relative = path.relative_to(ROOT)
    result = ibrun("config", str(relative), "--show-secrets")
    assert result.exit_code == 0, result.stderr
    yaml.safe_load(result.stdout)  # also YAML to other readers
    printed = tmp_path / path.name
    printed.write_text(result.stdout)
    assert load_spec(printed, LoadOptions()).spec == load_spec(relative, LoadOptions()).spec
    assert all(line.startswith("#") or " # " in line for line in result.stdout.splitlines())


def test_bad_input_is_a_located_error_without_traceback(ibrun, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("version: 1\ndata:\n  clientid: 2\n")
    result = ibrun("config", str(spec))
    assert result.exit_code == 1
    assert f"{spec}:3:3: $.data.clientid: unknown key 'clientid'; did you mean 'client_id'?" in result.stderr
    bad_set = ibrun("config", str(ENVIRONMENTS / "paper.yaml"), "--set", "data.client_id=x")
    assert bad_set.exit_code == 1
    assert bad_set.stderr.startswith("<--set>:1:")
    assert ibrun("config", str(tmp_path / "missing.yaml")).exit_code == 2
    tabs = ibrun("config", str(ROOT / "tests/validation/corpus/invalid/tabs.yaml"))
    assert tabs.exit_code == 1 and "tab character" in tabs.stderr
    for run in (result, bad_set, tabs):
        assert run.stdout == "" and "Traceback" not in run.stderr


def test_the_readme_sample_is_what_ibrun_prints(ibrun):
    readme = (ROOT / "README.md").read_text()
    command, sample = re.search(
        r"`(ibrun config examples/\S+ --set \S+)` begins:\n\n```yaml\n(.+?)```", readme, re.S
    ).groups()
    printed = ibrun(*command.split()[1:]).stdout.splitlines()
    shown = [line for line in sample.splitlines() if line != "..."]
    positions = [printed.index(line) for line in shown]  # each line is printed ...
    assert positions == sorted(positions)  # ... in this order
