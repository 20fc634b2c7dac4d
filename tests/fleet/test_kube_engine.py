"""The Kubernetes export played by `podman kube play` end to end: the gateway pod (the simulated
gateway and its `api-probe` container), Redis on its claim, two node pods whose init containers
wait for the gateway's handshake, their specs from ConfigMaps, the username from a Secret by
reference; both nodes answer ready through their health endpoints; `podman kube down` plus the
claims' volumes leaves nothing.

podman 4.3 plays Pods, Deployments, ConfigMaps, PVCs and secretKeyRef; what it cannot play is
adapted here, in the test only (`_for_podman`): a Deployment is played as the Pod its Service
names (podman has no Services and names a Deployment's pod `<name>-pod-0`, so the Service's DNS
name would not resolve), the gateway password's `secret:` volume (podman 4.3 dereferences nil
on it) becomes a host directory holding the same file, and node-image containers get Python and
the project mounted (the test node image holds neither) and their monitoring port on loopback;
pods with an init container restart on failure only (podman 4.3 restarts a finished init
container under `Always`, then fails removing it).
"""

from __future__ import annotations

import base64
import copy
import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.cli.app import run as ibrun
from tests.fleet.conftest import TEST_PASSWORD, TEST_USER, write_fleet
from tests.fleet.engine import wait_for
from tests.fleet.images import ensure_node_image, ensure_redis_image, node_mounts
from tests.fleet.test_compose_engine import _readiness

pytestmark = [pytest.mark.engine, pytest.mark.slow]
FLEET = "ibrunkubetest"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _for_podman(manifests: list[dict[str, Any]], secrets_dir: Path, node_image: str) -> tuple[list[Any], dict]:
    played: list[dict[str, Any]] = []
    ports: dict[str, int] = {}
    mounts = [
        {"name": f"host-{i}", "hostPath": {"path": str(p), "type": "Directory"}} for i, p in enumerate(node_mounts())
    ]
    for manifest in manifests:
        if manifest["kind"] == "Service":
            continue
        if manifest["kind"] != "Deployment":
            played.append(manifest)
            continue
        pod_spec = copy.deepcopy(manifest["spec"]["template"]["spec"])
        pod_spec["volumes"] = [_host_secret(v, secrets_dir) for v in pod_spec.get("volumes", [])] + mounts
        for container in pod_spec["containers"] + pod_spec.get("initContainers", []):
            if container["image"] == node_image:
                container.setdefault("volumeMounts", []).extend(
                    {"name": m["name"], "mountPath": m["hostPath"]["path"], "readOnly": True} for m in mounts
                )
            for port in container.get("ports", []):
                if port["name"] == "monitoring":
                    ports[manifest["metadata"]["name"]] = port["hostPort"] = _free_port()
                    port["hostIP"] = "127.0.0.1"
        if pod_spec.get("initContainers"):
            # podman 4.3 applies the pod's restart policy to init containers (an exited one is
            # started again, then removed while running): OnFailure still restarts a crashed node
            pod_spec["restartPolicy"] = "OnFailure"
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": manifest["metadata"], "spec": pod_spec}
        played.append(pod)
    return played, ports


def _ready(port: int) -> dict[str, Any] | None:
    report = _readiness(port)
    return report if report and report.get("ready") else None


def _host_secret(volume: dict[str, Any], secrets_dir: Path) -> dict[str, Any]:
    if "secret" not in volume:
        return volume
    assert volume["secret"]["items"] == [{"key": "password", "path": "password"}]
    return {"name": volume["name"], "hostPath": {"path": str(secrets_dir), "type": "Directory"}}


def _podman(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, check=False)


def _podman_secret(name: str, values: dict[str, str], directory: Path) -> None:
    # podman 4.3 reads a secretKeyRef's secret as JSON: key → base64 of the value
    data = {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data))
    _podman("secret", "rm", name)
    assert _podman("secret", "create", name, str(path)).returncode == 0
    path.unlink()


def test_two_member_fleet_on_podman_kube_play(
    engine: Any, test_image: str, fleet_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    node_image = ensure_node_image(engine)
    images = {"node": node_image, "gateway": test_image, "redis": ensure_redis_image(engine), "pull_policy": "Never"}
    fleet = write_fleet(fleet_dir, name=FLEET, images=images)
    exported = fleet_dir / "fleet.k8s.yaml"
    assert ibrun(["export", "k8s", str(fleet), "-o", str(exported)]) == 0
    manifests = list(yaml.safe_load_all(exported.read_text()))
    secrets_dir = tmp_path / "gateway-secret"
    secrets_dir.mkdir()
    (secrets_dir / "password").write_text(TEST_PASSWORD)
    played, ports = _for_podman(manifests, secrets_dir, node_image)
    play_file = tmp_path / "play.yaml"
    play_file.write_text(yaml.safe_dump_all(played, sort_keys=False))
    network = f"{FLEET}-net"
    _cleanup(play_file, manifests, network)
    _podman_secret(f"{FLEET}-gateway-paper", {"username": TEST_USER, "password": TEST_PASSWORD}, tmp_path)
    assert _podman("network", "create", network).returncode == 0
    try:
        # kube play returns once every pod started (the nodes' init containers waited for the
        # gateway's handshake); readiness is then each node's own /readyz
        started = time.monotonic()
        played_run = _podman("kube", "play", "--network", network, str(play_file))
        assert played_run.returncode == 0, played_run.stdout + played_run.stderr
        traders = set()
        for name, port in ports.items():
            report = wait_for(lambda port=port: _ready(port), 240, f"{name} ready")
            traders.add(report["trader_id"])
        assert traders == {"FLEETA-001", "FLEETB-001"}
        print(f"\nfleet ready in {time.monotonic() - started:.1f}s")  # bench/fleet_bench.py records it
        leaked = [c.name for c in engine.containers.list(all=True) if TEST_PASSWORD in json.dumps(c.attrs)]
        assert leaked == []
    finally:
        _cleanup(play_file, manifests, network)
    names = {m["metadata"]["name"] for m in manifests}
    assert [p for p in _podman("pod", "ps", "--format", "{{.Name}}").stdout.split() if p in names] == []
    assert [c.name for c in engine.containers.list(all=True) if c.name.startswith(FLEET)] == []
    volumes = {v.name for v in engine.volumes.list()}
    assert volumes & names == set() and not any(v.startswith(FLEET) for v in volumes)
    assert network not in {n.name for n in engine.networks.list()}


def _cleanup(play_file: Path, manifests: list[dict[str, Any]], network: str) -> None:
    """`podman kube down`, then what it keeps: the claims' and ConfigMaps' volumes (a claim
    outlives its pod, in Kubernetes too), the network and the secret."""
    if play_file.exists():
        _podman("kube", "down", str(play_file))
    for manifest in manifests:
        if manifest["kind"] in ("PersistentVolumeClaim", "ConfigMap"):
            _podman("volume", "rm", "-f", manifest["metadata"]["name"])
    _podman("network", "rm", "-f", network)
    _podman("secret", "rm", f"{FLEET}-gateway-paper")
