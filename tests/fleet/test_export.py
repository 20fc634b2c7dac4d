"""`ibrun export compose|k8s`: what the files say (the gnzsnz contract, handshake health, health
order, Redis persistence, resources, secret references only), that they are deterministic, that
the manifests pass the Kubernetes API schemas, and `ibrun diff` of two fleets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from runner.cli.app import run as ibrun
from tests.fleet.conftest import TEST_PASSWORD, write_fleet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fleet" / "fleet.yaml"
SECRET_USER = "the-login-user-Q7"


def export(target: str, fleet: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert ibrun(["export", target, str(fleet), *extra]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def documents(text: str) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(text) if document]


def test_output_is_the_same_bytes_whatever_the_process(tmp_path: Path) -> None:
    fleet = write_fleet(tmp_path, name="det")
    outputs = set()
    for seed in ("1", "2", "3"):
        for target in ("compose", "k8s"):
            environ = {**os.environ, "PYTHONHASHSEED": seed}
            command = [sys.executable, "-c", "from runner.cli.entry import main; main()", "export", target, str(fleet)]
            done = subprocess.run(command, capture_output=True, env=environ, check=True, cwd=ROOT)
            outputs.add((target, done.stdout))
    assert len(outputs) == 2  # one text per target, whatever the hash seed


def test_compose_gateway_is_the_gnzsnz_contract_with_a_handshake_health(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compose = documents(export("compose", write_fleet(tmp_path, name="c"), capsys))[0]
    services = compose["services"]
    gateway = services["gateway-paper"]["environment"]
    assert gateway["TWS_USERID"].startswith("${FLEET_TEST_USER:?")
    assert gateway["TWS_PASSWORD_FILE"] == "/run/secrets/gateway-paper-password"
    assert (gateway["TRADING_MODE"], gateway["READ_ONLY_API"]) == ("paper", "no")
    assert not any("PASSWORD" in key and not key.endswith("_FILE") for key in gateway)
    assert compose["secrets"] == {"gateway-paper-password": {"file": "./secrets/paper_password"}}
    probe = services["gateway-paper-probe"]["healthcheck"]["test"]
    assert probe[:5] == ["CMD", "ibrun", "gateway", "probe", "gateway-paper:4004"]


def test_compose_starts_by_health_and_keeps_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services = documents(export("compose", write_fleet(tmp_path, name="c"), capsys))[0]["services"]
    node = services["node-a"]
    assert node["depends_on"]["gateway-paper-probe"] == {"condition": "service_healthy"}
    assert node["healthcheck"]["test"] == ["CMD", "ibrun", "status", "http://127.0.0.1:9464", "--timeout", "8"]
    assert node["command"][:3] == ["run", "/etc/ibrun/spec/a.yaml", "--no-status"]
    assert "monitoring.listen=0.0.0.0:9464" in node["command"]
    assert "./specs/a.yaml:/etc/ibrun/spec/a.yaml:ro" in node["volumes"]
    assert node["restart"] == "unless-stopped" and node["mem_reservation"] == "768m"
    assert "FLEET_TEST_ACCOUNT" in node["environment"]  # passed through, no value written
    redis = services["redis"]
    assert redis["command"][:2] == ["--appendonly", "yes"] and redis["volumes"] == ["redis-data:/data"]
    assert all("sleep" not in str(service) for service in services.values())


def test_a_dollar_in_an_override_reaches_the_node_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = write_fleet(tmp_path, name="c")
    fleet.write_text(
        fleet.read_text().replace("gateway: paper}", "gateway: paper, set: ['node.logging.file_name=a$$b']}", 1)
    )
    node = documents(export("compose", fleet, capsys))[0]["services"]["node-a"]
    assert "node.logging.file_name=a$$b" in node["command"]  # compose turns $$ back into one $


def test_k8s_manifests_pass_the_kubernetes_schemas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fleet in (EXAMPLE, write_fleet(tmp_path, name="k")):
        manifests = documents(export("k8s", fleet, capsys))
        for manifest in manifests:
            kubernetes_validate.validate(manifest, kubernetes_validate.latest_version(), strict=True)
        kinds = {m["kind"] for m in manifests}
        assert kinds == {"Deployment", "Service", "ConfigMap", "PersistentVolumeClaim"}  # no Secret with a value


def test_k8s_nodes_gateways_and_redis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifests = {(m["kind"], m["metadata"]["name"]): m for m in documents(export("k8s", EXAMPLE, capsys))}
    node = manifests[("Deployment", "trading-node-fx-paper")]["spec"]
    assert node["strategy"] == {"type": "Recreate"} and node["replicas"] == 1
    pod = node["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "768Mi"}
    assert pod["initContainers"][0]["args"][:3] == ["gateway", "probe", "trading-gateway-paper:4004"]
    assert "gateway.host=trading-gateway-paper" in container["args"]
    spec_text = (ROOT / "examples" / "fleet" / "specs" / "fx-paper.yaml").read_text()
    assert manifests[("ConfigMap", "trading-node-fx-paper-spec")]["data"] == {"fx-paper.yaml": spec_text}
    env = {e["name"]: e for e in container["env"]}
    assert env["TWS_ACCOUNT_PAPER"]["valueFrom"]["secretKeyRef"] == {
        "name": "trading-env",
        "key": "TWS_ACCOUNT_PAPER",
        "optional": True,
    }
    gateway = manifests[("Deployment", "trading-gateway-live")]["spec"]["template"]["spec"]
    probe = next(c for c in gateway["containers"] if c["name"] == "api-probe")
    assert probe["readinessProbe"]["exec"]["command"][:4] == ["ibrun", "gateway", "probe", "127.0.0.1:4003"]
    assert "livenessProbe" not in gateway["containers"][0]  # a restart would need a new 2FA login
    assert gateway["volumes"][0]["secret"]["secretName"] == "trading-gateway-live"
    assert ("PersistentVolumeClaim", "trading-redis") in manifests
    assert ("PersistentVolumeClaim", "trading-node-spy-live-state") in manifests
    live = manifests[("Deployment", "trading-node-spy-live")]["spec"]["template"]["spec"]["containers"][0]
    assert live["args"][-1] == "--confirm-live"


def test_no_secret_value_in_any_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEET_TEST_USER", SECRET_USER)
    monkeypatch.setenv("FLEET_TEST_ACCOUNT", "U7654321")
    fleet = write_fleet(tmp_path, name="s")
    for target in ("compose", "k8s"):
        text = export(target, fleet, capsys)
        assert TEST_PASSWORD not in text and SECRET_USER not in text and "U7654321" not in text


def test_a_member_extending_a_base_elsewhere_keeps_its_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = write_fleet(tmp_path, name="x")
    (tmp_path / "specs" / "nested").mkdir()
    (tmp_path / "specs" / "nested" / "c.yaml").write_text(
        "extends: ../b.yaml\ntrader_id: FLEETC-001\ndata: {client_id: 31}\n"
    )
    fleet.write_text(fleet.read_text() + "  - {name: c, spec: specs/nested/c.yaml, gateway: paper}\n")
    manifests = documents(export("k8s", fleet, capsys))
    node = next(m for m in manifests if m["metadata"]["name"] == "x-node-c" and m["kind"] == "Deployment")
    container = node["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][1] == "/etc/ibrun/spec/nested/c.yaml"
    mounts = {m["mountPath"]: m["subPath"] for m in container["volumeMounts"] if "subPath" in m}
    assert mounts == {"/etc/ibrun/spec/b.yaml": "b.yaml", "/etc/ibrun/spec/nested/c.yaml": "nested__c.yaml"}
    compose = documents(export("compose", fleet, capsys))[0]
    assert "./specs/b.yaml:/etc/ibrun/spec/b.yaml:ro" in compose["services"]["node-c"]["volumes"]


def test_diff_of_two_fleets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_fleet(tmp_path / "old", name="d")
    new = write_fleet(tmp_path / "new", name="d")
    assert ibrun(["diff", str(old), str(new)]) == 0
    (tmp_path / "new" / "specs" / "b.yaml").write_text(
        (tmp_path / "new" / "specs" / "b.yaml").read_text().replace("21", "22")
    )
    new.write_text(new.read_text().replace("memory: 512Mi", "memory: 1Gi"))
    capsys.readouterr()
    assert ibrun(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "$.members.b.spec.data.client_id: 21 → 22" in out
    assert '$.members.b.resources.memory: "512Mi" → "1Gi"' in out


HEAVY = ("pydantic", "nautilus_trader", "docker", "redis", "kubernetes_validate")


@pytest.mark.parametrize("command", [["validate"], ["export", "compose"], ["export", "k8s"], ["diff", str(EXAMPLE)]])
def test_fleet_commands_import_nothing_heavy(command: list[str]) -> None:
    probe = (
        "import json, sys\n"
        "from runner.cli.entry import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command, str(EXAMPLE)], capture_output=True, text=True, cwd=ROOT
    )
    modules = json.loads(result.stdout.splitlines()[-1])
    assert [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)] == []
