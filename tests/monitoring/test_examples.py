"""examples/monitoring: every metric the Grafana dashboard and the alerting rules use is one that
ibrun's /metrics exports (read from a real exposition of a fully populated snapshot)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from runner.monitoring.metrics import registry_for
from runner.monitoring.snapshot import ClientState, PositionState, Snapshot
from runner.monitoring.watchdog import SubscriptionStatus, Watch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "monitoring"
METRIC = re.compile(r"\b(ibrun_[a-z_]+)\b")


def exported_names() -> set[str]:
    snapshot = Snapshot(
        "T-1",
        "running",
        0.0,
        startup_seconds=1.0,
        instrument_load_seconds=0.5,
        clients=(ClientState(1, ("data",), True, 1, None),),
        subscriptions=(SubscriptionStatus(Watch("SPY.ARCA", "quotes", 2.0), "fresh", 0.1, 3.0, 1),),
        received={("SPY.ARCA", "quotes"): 10},
        order_events={"OrderSubmitted": 1, "OrderFilled": 1, "OrderRejected": 1},
        positions=(PositionState("SPY.ARCA", 10.0, 1.0, 2.0, "USD"),),
        errors={2104: 1},
    )
    text = generate_latest(registry_for(lambda: snapshot)).decode()
    return {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}


def used_in_rules() -> set[str]:
    rules = yaml.safe_load((EXAMPLES / "ibrun-alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert {rule["alert"] for group in rules["groups"] for rule in group["rules"]} >= {
        "IbrunStaleData",
        "IbrunGatewayDisconnected",
        "IbrunReconnectStorm",
        "IbrunOrderRejected",
    }
    return {name for expr in exprs for name in METRIC.findall(expr)}


def used_in_dashboard() -> set[str]:
    dashboard = json.loads((EXAMPLES / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return {name for expr in exprs for name in METRIC.findall(expr)}


def test_every_metric_the_examples_use_is_exported() -> None:
    exported = exported_names()
    for where, used in (("ibrun-alerts.yml", used_in_rules()), ("grafana-dashboard.json", used_in_dashboard())):
        assert used, where
        assert used <= exported, f"{where} uses metrics ibrun does not export: {sorted(used - exported)}"


def test_the_scrape_config_points_at_ibrun() -> None:
    config = yaml.safe_load((EXAMPLES / "prometheus.yml").read_text())
    assert config["rule_files"] == ["ibrun-alerts.yml"]
    assert config["scrape_configs"][0]["job_name"] == "ibrun"
