"""What the gateway container looks like (a plan from the spec) and the engine calls around it.

The plan follows the gnzsnz/ib-gateway env contract: TWS_USERID, TWS_PASSWORD_FILE (a mounted
file, never TWS_PASSWORD), TRADING_MODE, READ_ONLY_API, TWOFA_TIMEOUT_ACTION; the API is
published from 4004 (paper) / 4003 (live) inside to a loopback-only host port.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import GatewayStartFailed
from runner.model import Spec
from runner.model.gateway import DockerGateway
from runner.model.secrets import is_secret_variable

# Ports the image's socat forwarder publishes the API on (IB Gateway itself listens on
# 4002/4001 inside, on localhost only).
CONTAINER_API_PORTS = {"paper": 4004, "live": 4003}
CONTAINER_VNC_PORT = 5900
PASSWORD_MOUNT = "/run/secrets/tws_password"
VNC_PASSWORD_MOUNT = "/run/secrets/vnc_password"
LOOPBACK = "127.0.0.1"

LABEL_MANAGED = "ibrun.managed"
LABEL_SPEC = "ibrun.spec"
LABEL_TRADING_MODE = "ibrun.trading_mode"
LABEL_CONFIG = "ibrun.config"
LABEL_KEEP = "ibrun.keep"


@dataclass(frozen=True)
class ContainerPlan:
    """Everything needed to create the container, minus secret values (mounted later)."""

    name: str
    image: str
    trading_mode: str
    environment: dict[str, str]
    container_port: int
    host_port: int | None
    vnc_port: int | None
    labels: dict[str, str]
    restart_policy: dict[str, Any] | None
    mounts: dict[str, str] = field(default_factory=dict)  # container path → host path

    def ports(self, host_port: int) -> dict[str, tuple[str, int]]:
        ports = {f"{self.container_port}/tcp": (LOOPBACK, host_port)}
        if self.vnc_port is not None:
            ports[f"{CONTAINER_VNC_PORT}/tcp"] = (LOOPBACK, self.vnc_port)
        return ports


def spec_identity(spec: Spec, base_dir: Path, spec_path: Path | None) -> str:
    """What makes two runs "the same spec": its file, else its folder and trader id."""
    if spec_path is not None:
        return str(Path(spec_path).resolve())
    return f"{Path(base_dir).resolve()}#{spec.trader_id}"


def container_name(spec: Spec, identity: str) -> str:
    docker = _docker_section(spec)
    if docker.container_name:
        return docker.container_name
    stem = re.sub(r"[^a-zA-Z0-9_.-]+", "-", Path(identity.split("#")[0]).stem).strip("-.") or "spec"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return f"ibrun-gw-{stem[:40]}-{spec.gateway.trading_mode}-{digest}"


def plan_container(spec: Spec, identity: str, username: str) -> ContainerPlan:
    docker = _docker_section(spec)
    _reject_secret_env(docker)
    mode = spec.gateway.trading_mode
    environment = {
        **docker.env,
        "TWS_USERID": username,
        "TWS_PASSWORD_FILE": PASSWORD_MOUNT,
        "TRADING_MODE": mode,
        "READ_ONLY_API": "no" if spec.gateway.writable else "yes",
    }
    if docker.twofa_timeout_action:
        environment["TWOFA_TIMEOUT_ACTION"] = docker.twofa_timeout_action
    if docker.vnc_port is not None:
        environment["VNC_SERVER_PASSWORD_FILE"] = VNC_PASSWORD_MOUNT
    plan = ContainerPlan(
        name=container_name(spec, identity),
        image=docker.image,
        trading_mode=mode,
        environment=environment,
        container_port=CONTAINER_API_PORTS[mode],
        host_port=docker.host_port,
        vnc_port=docker.vnc_port,
        labels={},
        restart_policy=None if docker.restart_policy == "no" else {"Name": docker.restart_policy},
    )
    labels = {
        LABEL_MANAGED: "true",
        LABEL_SPEC: identity,
        LABEL_TRADING_MODE: mode,
        LABEL_CONFIG: config_digest(plan),
        LABEL_KEEP: "true" if docker.keep else "false",
    }
    return ContainerPlan(**{**plan.__dict__, "labels": labels})


def config_digest(plan: ContainerPlan) -> str:
    """Hash of the non-secret configuration: a running container is reused only if equal."""
    material = json.dumps(
        [plan.image, plan.environment, plan.container_port, plan.host_port, plan.vnc_port, plan.restart_policy],
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _docker_section(spec: Spec) -> DockerGateway:
    if spec.gateway.docker is None:
        raise GatewayStartFailed("this spec has no `gateway.docker` section")
    return spec.gateway.docker


def _reject_secret_env(docker: DockerGateway) -> None:
    # `ibrun validate` refuses these (and values taken from secret variables) already; this is
    # the last line before the container's environment, visible in `docker inspect`.
    leaky = sorted(key for key in docker.env if is_secret_variable(key))
    if leaky:
        raise GatewayStartFailed(
            f"gateway.docker.env must not carry secrets ({', '.join(leaky)}): they would show "
            "in `docker inspect`; use gateway.docker.password (env or file reference) instead"
        )


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def published_port(container: Any, container_port: int) -> int | None:
    """The loopback host port the container's API port is published on, if any."""
    bindings = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(
        f"{container_port}/tcp"
    ) or container.attrs.get("HostConfig", {}).get("PortBindings", {}).get(f"{container_port}/tcp")
    for binding in bindings or []:
        if binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


def log_tail(container: Any, lines: int = 20) -> str:
    try:
        raw = container.logs(tail="all")
    except Exception:  # the container may be gone already; logs are best effort
        return ""
    return "".join(tail_lines(raw.decode("utf-8", errors="replace"), lines)).rstrip()


# Why the engine is never asked for a tail: podman (4.x) stores a line written in pieces (text,
# then "\n": Python's unbuffered print) as partial entries, and its `tail` re-joins those
# pieces with the wrong neighbours: two lines come out joined, a blank line appears elsewhere
# and the first line can vanish. The whole log is correct, so ibrun tails it itself.


def tail_lines(text: str, count: int) -> list[str]:
    """The last `count` lines of `text` (each with its line end); all of them if count <= 0."""
    lines = text.splitlines(keepends=True)
    return lines if count <= 0 else lines[-count:]
