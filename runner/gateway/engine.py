"""The Docker-API engine calls (docker SDK): connect, find, create+start, stop+remove.

Works against Docker and against podman's Docker-compatible API (`DOCKER_HOST=unix://...`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from runner.errors import GatewayStartFailed
from runner.gateway.container import ContainerPlan


def connect() -> Any:
    """A docker client for DOCKER_HOST (or the default socket), checked with a ping."""
    try:
        import docker
    except ImportError as error:
        raise GatewayStartFailed("the `docker` Python package is required for gateway.docker") from error
    try:
        # A pinned API version skips the /version negotiation (~0.5 s on podman); 1.41 is
        # served by podman >= 3 and by every Docker engine still supported.
        client = docker.from_env(timeout=30, version=os.environ.get("DOCKER_API_VERSION", "1.41"))
        client.ping()
    except Exception as error:
        where = os.environ.get("DOCKER_HOST", "the default Docker socket")
        raise GatewayStartFailed(
            f"no Docker engine answers at {where} ({type(error).__name__}): start Docker, or "
            "podman's API (`podman system service --time=0 unix:///tmp/podman.sock` and "
            "DOCKER_HOST=unix:///tmp/podman.sock)"
        ) from None
    return client


def find_container(client: Any, name: str) -> Any | None:
    import docker

    try:
        return client.containers.get(name)
    except docker.errors.NotFound:
        return None


def create_and_start(
    client: Any,
    plan: ContainerPlan,
    host_port: int,
    mounts: dict[str, Path],
    progress: bool,
    *,
    steps: Callable[[str], AbstractContextManager[None]] | None = None,
) -> Any:
    """Create the container (pulling the image only if the engine lacks it) and start it.

    Two engine calls on the fast path (create, start): the SDK's ``containers.create`` adds an
    image lookup before and an inspect after, which the readiness loop does not need (its first
    state check inspects the container anyway).
    """
    import docker

    step = steps or (lambda _name: contextlib.nullcontext())
    ports = plan.ports(host_port)
    host_config = client.api.create_host_config(
        port_bindings=ports,
        binds={str(host): {"bind": inside, "mode": "ro"} for inside, host in mounts.items()},
        restart_policy=plan.restart_policy,
    )
    options: dict[str, Any] = {
        "image": plan.image,
        "name": plan.name,
        "detach": True,
        "environment": plan.environment,
        "labels": plan.labels,
        "ports": [tuple(port.split("/", 1)) for port in sorted(ports)],
        "volumes": list(mounts),
        "host_config": host_config,
    }
    try:
        try:
            with step("create"):
                created = client.api.create_container(**options)
        except docker.errors.ImageNotFound:
            with step("pull"):
                _pull_image(client, plan.image, progress)
            with step("create"):
                created = client.api.create_container(**options)
    except docker.errors.APIError as error:
        raise GatewayStartFailed(f"cannot create gateway container {plan.name}: {_explain(error)}") from None
    container = client.containers.prepare_model({"Id": created["Id"], "Name": f"/{plan.name}"})
    try:
        with step("start"):
            client.api.start(created["Id"])
    except BaseException as error:  # includes Ctrl-C/SIGTERM between create and start
        remove_container(container, timeout=1)
        if isinstance(error, docker.errors.APIError):
            raise GatewayStartFailed(f"cannot start gateway container {plan.name}: {_explain(error)}") from None
        raise
    return container


def remove_container(container: Any, timeout: int) -> None:
    """Stop (SIGTERM, then SIGKILL after `timeout` s) and remove; gone already is fine."""
    import docker

    try:
        container.reload()
        if container.status in ("running", "restarting", "paused"):
            container.stop(timeout=timeout)
        container.remove(force=True)
    except docker.errors.NotFound:
        pass


def _pull_image(client: Any, image: str, progress: bool) -> None:
    import docker

    if progress:
        print(f"ibrun: pulling gateway image {image} ...", flush=True)
    try:
        client.images.pull(image)
    except docker.errors.APIError as error:
        raise GatewayStartFailed(f"gateway image {image} is not available: {_explain(error)}") from None


def _explain(error: Any) -> str:
    return str(getattr(error, "explanation", None) or error)
