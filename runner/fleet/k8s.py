"""A fleet as Kubernetes manifests: Deployments (one replica, `Recreate`: never two nodes with
one client id), Services, ConfigMaps holding the member specs, PersistentVolumeClaims for Redis
and for members that ask for storage, and Secret references — never a secret value.

The Secrets are the user's to create (README: Fleets): `<fleet>-gateway-<name>` with keys
`username` and `password`, and `<fleet>-env` with the variables the member specs interpolate
(every key optional). Gateway pods have a second container, `api-probe` (the node image), whose
readiness is a TWS handshake with the gateway beside it; nodes wait for their gateway's Service
in an init container the same way, and are ready/alive by their own `/readyz` and `/healthz`.
"""

from __future__ import annotations

from typing import Any

from runner.fleet.members import SPEC_ROOT, STATE_DIR, MemberFiles, member_files, node_arguments
from runner.fleet.wiring import (
    GATEWAY_API_PORTS,
    REDIS_PORT,
    gateway_probe_client_ids,
    k8s_hosts,
    member_probe_client_id,
)
from runner.model.fleet import Fleet, FleetGateway, Resources
from runner.validation.loaded_fleet import LoadedFleet, LoadedMember

Manifest = dict[str, Any]
PASSWORD_DIR = "/run/secrets/ibrun"
NODE_UID = 10001  # the node image's user (Dockerfile: USER 10001)
# Gateways log in (and may wait for a 2FA approval) before their API answers: a node waits this
# long in its init container before Kubernetes retries it.
GATEWAY_WAIT_SECONDS = 900


def k8s_manifests(loaded: LoadedFleet) -> list[Manifest]:
    fleet = loaded.fleet
    manifests = _redis(fleet)
    for name, gateway in fleet.gateways.items():
        manifests += _gateway(fleet, name, gateway)
    for member in loaded.members:
        manifests += _member(fleet, member)
    return manifests


def _labels(fleet: Fleet, name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "ibrun",
        "app.kubernetes.io/part-of": fleet.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": name,
    }


def _metadata(fleet: Fleet, name: str, component: str) -> dict[str, Any]:
    return {"name": name, "labels": _labels(fleet, name, component)}


def _deployment(fleet: Fleet, name: str, component: str, pod: dict[str, Any]) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(fleet, name, component),
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": {"app.kubernetes.io/instance": name}},
            "template": {"metadata": {"labels": _labels(fleet, name, component)}, "spec": pod},
        },
    }


def _service(fleet: Fleet, name: str, component: str, port_name: str, port: int) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(fleet, name, component),
        "spec": {
            "selector": {"app.kubernetes.io/instance": name},
            "ports": [{"name": port_name, "port": port, "targetPort": port_name}],
        },
    }


def _claim(fleet: Fleet, name: str, component: str, size: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(fleet, name, component),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
    }


def _resources(resources: Resources) -> dict[str, Any]:
    limit = resources.memory_limit or f"{int(resources.memory[:-2]) * 2}{resources.memory[-2:]}"
    return {"requests": {"cpu": resources.cpu, "memory": resources.memory}, "limits": {"memory": limit}}


def _container(fleet: Fleet, name: str, image: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "image": image, "imagePullPolicy": fleet.images.pull_policy, **fields}


def _redis(fleet: Fleet) -> list[Manifest]:
    name = f"{fleet.name}-redis"
    args = ["--appendonly", "yes", "--appendfsync", fleet.redis.appendfsync, "--dir", "/data"]
    container = _container(
        fleet,
        "redis",
        fleet.images.redis,
        args=[*args, "--protected-mode", "no"],
        ports=[{"name": "redis", "containerPort": REDIS_PORT}],
        readinessProbe={"exec": {"command": ["redis-cli", "ping"]}, "periodSeconds": 5},
        livenessProbe={"tcpSocket": {"port": "redis"}, "periodSeconds": 10, "failureThreshold": 6},
        resources=_resources(fleet.redis.resources),
        volumeMounts=[{"name": "data", "mountPath": "/data"}],
    )
    pod = {"containers": [container], "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": name}}]}
    return [
        _claim(fleet, name, "redis", fleet.redis.storage),
        _deployment(fleet, name, "redis", pod),
        _service(fleet, name, "redis", "redis", REDIS_PORT),
    ]


def _gateway(fleet: Fleet, gateway_name: str, gateway: FleetGateway) -> list[Manifest]:
    name = f"{fleet.name}-gateway-{gateway_name}"
    port = GATEWAY_API_PORTS[gateway.trading_mode]
    ib_gateway = _container(
        fleet,
        "gateway",
        fleet.images.gateway,
        env=_gateway_env(name, gateway),
        ports=[{"name": "api", "containerPort": port}],
        resources=_resources(gateway.resources),
        volumeMounts=[{"name": "credentials", "mountPath": PASSWORD_DIR, "readOnly": True}],
    )
    password = {"secretName": name, "items": [{"key": "password", "path": "password"}]}
    pod = {
        "containers": [ib_gateway, _api_probe(fleet, gateway_name, port)],
        "volumes": [{"name": "credentials", "secret": password}],
    }
    return [_deployment(fleet, name, "gateway", pod), _service(fleet, name, "gateway", "api", port)]


def _gateway_env(secret: str, gateway: FleetGateway) -> list[dict[str, Any]]:
    """The gnzsnz/ib-gateway contract; the username from the Secret, the password as its file."""
    env: list[dict[str, Any]] = [{"name": key, "value": value} for key, value in sorted(gateway.env.items())]
    env += [
        {"name": "TWS_USERID", "valueFrom": {"secretKeyRef": {"name": secret, "key": "username"}}},
        {"name": "TWS_PASSWORD_FILE", "value": f"{PASSWORD_DIR}/password"},
        {"name": "TRADING_MODE", "value": gateway.trading_mode},
        {"name": "READ_ONLY_API", "value": "yes" if gateway.read_only_api else "no"},
    ]
    if gateway.twofa_timeout_action:
        env.append({"name": "TWOFA_TIMEOUT_ACTION", "value": gateway.twofa_timeout_action})
    return env


def _api_probe(fleet: Fleet, gateway_name: str, port: int) -> dict[str, Any]:
    watcher, checker = gateway_probe_client_ids(fleet, gateway_name)
    address = f"127.0.0.1:{port}"
    return _container(
        fleet,
        "api-probe",
        fleet.images.node,
        args=["gateway", "probe", address, "--watch", "--client-id", str(watcher)],
        # No liveness probe on purpose: a restarted IB Gateway logs in again, and a login may need
        # a human's 2FA approval. Readiness keeps nodes' connections away until the API answers.
        readinessProbe={
            "exec": {"command": ["ibrun", "gateway", "probe", address, "--client-id", str(checker)]},
            "periodSeconds": 10,
            "timeoutSeconds": 9,
            "failureThreshold": 3,
        },
        resources={"requests": {"cpu": "20m", "memory": "64Mi"}, "limits": {"memory": "192Mi"}},
    )


def _member(fleet: Fleet, loaded: LoadedMember) -> list[Manifest]:
    member = loaded.member
    name = f"{fleet.name}-node-{member.name}"
    files = member_files(loaded)
    volumes, mounts = _spec_volumes(name, files)
    manifests = [_config_map(fleet, name, files)]
    if member.storage is not None:
        manifests.append(_claim(fleet, f"{name}-state", "node", member.storage))
        volumes.append({"name": "state", "persistentVolumeClaim": {"claimName": f"{name}-state"}})
    else:
        volumes.append({"name": "state", "emptyDir": {}})
    mounts.append({"name": "state", "mountPath": STATE_DIR})
    pod = {
        "terminationGracePeriodSeconds": 60,  # the node stops its strategies and disconnects first
        # the image's user (Dockerfile); the group owns the state volume, so it is writable
        "securityContext": {"runAsNonRoot": True, "runAsUser": NODE_UID, "fsGroup": NODE_UID},
        "initContainers": [_wait_for_gateway(fleet, loaded)],
        "containers": [_node(fleet, loaded, files, mounts)],
        "volumes": volumes,
    }
    manifests.append(_deployment(fleet, name, "node", pod))
    manifests.append(_service(fleet, name, "node", "monitoring", member.monitoring_port))
    return manifests


def _wait_for_gateway(fleet: Fleet, loaded: LoadedMember) -> dict[str, Any]:
    """An init container: the node starts once its gateway's API answers a handshake."""
    gateway = loaded.member.gateway
    address = f"{k8s_hosts(fleet).gateways[gateway]}:{GATEWAY_API_PORTS[fleet.gateways[gateway].trading_mode]}"
    client_id = str(member_probe_client_id(fleet, loaded.member))
    arguments = ["gateway", "probe", address, "--wait", str(GATEWAY_WAIT_SECONDS), "--client-id", client_id]
    return _container(fleet, "wait-for-gateway", fleet.images.node, args=arguments)


def _node(fleet: Fleet, loaded: LoadedMember, files: MemberFiles, mounts: list[dict[str, Any]]) -> dict[str, Any]:
    member = loaded.member
    return _container(
        fleet,
        "node",
        fleet.images.node,
        args=node_arguments(fleet, loaded, k8s_hosts(fleet), files.entry),
        workingDir=STATE_DIR,
        env=_member_env(fleet, files),
        ports=[{"name": "monitoring", "containerPort": member.monitoring_port}],
        startupProbe=_http("/healthz", period=5, failures=60),
        readinessProbe=_http("/readyz", period=10, failures=3),
        livenessProbe=_http("/healthz", period=10, failures=6),
        resources=_resources(member.resources),
        securityContext={"allowPrivilegeEscalation": False},
        volumeMounts=mounts,
    )


def _http(path: str, *, period: int, failures: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "monitoring"}, "periodSeconds": period, "failureThreshold": failures}


def _member_env(fleet: Fleet, files: MemberFiles) -> list[dict[str, Any]]:
    secret = f"{fleet.name}-env"
    env: list[dict[str, Any]] = [
        {"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": variable, "optional": True}}}
        for variable in files.variables
    ]
    return [*env, {"name": "XDG_CACHE_HOME", "value": f"{STATE_DIR}/cache"}]


def _config_key(relative: str) -> str:
    return relative.replace("/", "__")


def _config_map(fleet: Fleet, name: str, files: MemberFiles) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(fleet, f"{name}-spec", "node"),
        "data": {_config_key(file.relative): file.text for file in files.files},
    }


def _spec_volumes(name: str, files: MemberFiles) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ConfigMap as a directory when the files share one (podman can play that too), else
    one `subPath` mount per file, so `extends: ../base.yaml` finds its base."""
    volumes = [{"name": "spec", "configMap": {"name": f"{name}-spec"}}]
    if files.one_directory:
        return volumes, [{"name": "spec", "mountPath": SPEC_ROOT, "readOnly": True}]
    mounts = [
        {"name": "spec", "mountPath": f"{SPEC_ROOT}/{file.relative}", "subPath": _config_key(file.relative)}
        for file in files.files
    ]
    return volumes, [{**mount, "readOnly": True} for mount in mounts]
