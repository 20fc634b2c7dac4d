"""A fleet as a docker compose file (Compose Specification; runs with docker compose v2 and the
Python docker-compose 1.29, against Docker or podman's Docker API).

Services: `redis` (append-only, on a volume), per gateway `gateway-<name>` (gnzsnz/ib-gateway env
contract, password as a compose secret file) and `gateway-<name>-probe` (the node image doing a
TWS handshake: its healthcheck is the gateway's readiness), per member `node-<name>` (`ibrun run`
with the member's overrides; healthcheck `ibrun status`). Start order is by health
(`depends_on: condition: service_healthy`); every service restarts unless stopped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from runner.fleet.members import SPEC_ROOT, STATE_DIR, member_files, monitoring_url, node_arguments
from runner.fleet.wiring import GATEWAY_API_PORTS, compose_hosts, gateway_probe_client_ids
from runner.model.fleet import Fleet, FleetGateway, Resources
from runner.model.gateway import SecretRef
from runner.validation.loaded_fleet import LoadedFleet, LoadedMember

PASSWORD_DIR = "/run/secrets"
_UNITS = {"Ki": "k", "Mi": "m", "Gi": "g", "Ti": "t"}


def compose_document(loaded: LoadedFleet, project_dir: Path) -> dict[str, Any]:
    """The compose file as data; relative paths are relative to `project_dir` (where the compose
    file will be, as compose resolves them)."""
    fleet = loaded.fleet
    fleet_dir = loaded.path.parent
    services: dict[str, Any] = {"redis": _redis(fleet)}
    secrets: dict[str, Any] = {}
    for name, gateway in fleet.gateways.items():
        services[f"gateway-{name}"] = _gateway(name, gateway, fleet.images.gateway)
        services[f"gateway-{name}-probe"] = _gateway_probe(fleet, name)
        secrets[f"gateway-{name}-password"] = _secret_source(gateway.password, fleet_dir, project_dir)
    volumes: dict[str, Any] = {"redis-data": {}}
    for member in loaded.members:
        services[f"node-{member.member.name}"] = _node(fleet, member, project_dir)
        if member.member.storage is not None:
            volumes[f"node-{member.member.name}-state"] = {}
    # No top-level `name:` (docker-compose 1.29 refuses it): the project is `-p <fleet name>`.
    return {"services": services, "secrets": secrets, "volumes": volumes}


def _redis(fleet: Fleet) -> dict[str, Any]:
    return {
        "image": fleet.images.redis,
        # flags only: the official image's entrypoint prepends `redis-server` to them
        "command": [
            "--appendonly",
            "yes",
            "--appendfsync",
            fleet.redis.appendfsync,
            "--dir",
            "/data",
            "--protected-mode",
            "no",
        ],
        "volumes": ["redis-data:/data"],
        "healthcheck": _healthcheck(["redis-cli", "ping"], interval=5, start_period=5),
        "restart": "unless-stopped",
        **_memory(fleet.redis.resources),
    }


def _gateway(name: str, gateway: FleetGateway, image: str) -> dict[str, Any]:
    username = gateway.username.env
    environment = {
        **{key: _literal(value) for key, value in sorted(gateway.env.items())},
        "TWS_USERID": f"${{{username}:?set {username} to the login of gateway {name}}}",
        "TWS_PASSWORD_FILE": f"{PASSWORD_DIR}/gateway-{name}-password",
        "TRADING_MODE": gateway.trading_mode,
        "READ_ONLY_API": "yes" if gateway.read_only_api else "no",
    }
    if gateway.twofa_timeout_action:
        environment["TWOFA_TIMEOUT_ACTION"] = gateway.twofa_timeout_action
    return {
        "image": image,
        "environment": environment,
        "secrets": [f"gateway-{name}-password"],
        "restart": "unless-stopped",
        **_memory(gateway.resources),
    }


def _gateway_probe(fleet: Fleet, name: str) -> dict[str, Any]:
    address = f"gateway-{name}:{GATEWAY_API_PORTS[fleet.gateways[name].trading_mode]}"
    watcher, checker = gateway_probe_client_ids(fleet, name)
    probe = ["ibrun", "gateway", "probe", address, "--client-id", str(checker), "--timeout", "8"]
    return {
        "image": fleet.images.node,
        "command": ["gateway", "probe", address, "--watch", "--client-id", str(watcher)],
        # IB Gateway logs in (and may wait for a 2FA approval) before its API answers
        "healthcheck": _healthcheck(probe, interval=10, timeout=10, start_period=600),
        "depends_on": {f"gateway-{name}": {"condition": "service_started"}},
        "restart": "unless-stopped",
        "mem_reservation": "64m",
    }


def _node(fleet: Fleet, loaded: LoadedMember, project_dir: Path) -> dict[str, Any]:
    member = loaded.member
    files = member_files(loaded)
    mounts = [f"{_relative(file.source, project_dir)}:{SPEC_ROOT}/{file.relative}:ro" for file in files.files]
    if member.storage is not None:
        mounts.append(f"node-{member.name}-state:{STATE_DIR}")
    depends: dict[str, Any] = {f"gateway-{member.gateway}-probe": {"condition": "service_healthy"}}
    if member.state == "redis":
        depends = {"redis": {"condition": "service_healthy"}, **depends}
    status = ["ibrun", "status", monitoring_url(member.monitoring_port), "--timeout", "8"]
    return {
        "image": fleet.images.node,
        "command": [
            _literal(argument) for argument in node_arguments(fleet, loaded, compose_hosts(fleet), files.entry)
        ],
        "working_dir": STATE_DIR,
        # the values come from the shell that runs compose; none is written here
        "environment": [*files.variables, f"XDG_CACHE_HOME={STATE_DIR}/cache"],
        "volumes": mounts,
        "healthcheck": _healthcheck(status, interval=15, timeout=10, retries=4, start_period=180),
        "depends_on": depends,
        "restart": "unless-stopped",
        "stop_grace_period": "60s",
        **_memory(member.resources),
    }


def _healthcheck(
    command: list[str], *, interval: int, timeout: int = 5, retries: int = 3, start_period: int = 0
) -> dict[str, Any]:
    return {
        "test": ["CMD", *command],
        "interval": f"{interval}s",
        "timeout": f"{timeout}s",
        "retries": retries,
        "start_period": f"{start_period}s",
    }


def _memory(resources: Resources) -> dict[str, str]:
    """Compose has no CPU request outside swarm: the memory request and limit are kept."""
    limit = resources.memory_limit or _doubled(resources.memory)
    return {"mem_reservation": _compose_size(resources.memory), "mem_limit": _compose_size(limit)}


def _doubled(quantity: str) -> str:
    return f"{int(quantity[:-2]) * 2}{quantity[-2:]}"


def _compose_size(quantity: str) -> str:
    return f"{quantity[:-2]}{_UNITS[quantity[-2:]]}"


def _secret_source(ref: SecretRef, fleet_dir: Path, project_dir: Path) -> dict[str, str]:
    if ref.env:
        return {"environment": ref.env}  # Compose Specification; docker compose v2.6+
    return {"file": _relative(fleet_dir / (ref.file or ""), project_dir)}


def _relative(path: Path, project_dir: Path) -> str:
    relative = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(project_dir))).as_posix()
    return relative if relative.startswith("../") else f"./{relative}"


def _literal(text: str) -> str:
    """`text` as compose must see it: it interpolates `$`, so a literal one is `$$`."""
    return text.replace("$", "$$")
