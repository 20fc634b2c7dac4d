"""The Docker-API engine calls (docker SDK): connect, find, create+start, stop+remove.

Works against Docker and against podman's Docker-compatible API (`DOCKER_HOST=unix://...`).
"""

from __future__ import annotations

import os
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


def get_container(client: Any, container_id: str) -> Any | None:
    return find_container(client, container_id)


def create_and_start(client: Any, plan: ContainerPlan, host_port: int, mounts: dict[str, Path], progress: bool) -> Any:
    """Create the container (pulling the image if missing) and start it."""
    import docker

    _ensure_image(client, plan.image, progress)
    options: dict[str, Any] = {
        "image": plan.image,
        "name": plan.name,
        "detach": True,
        "environment": plan.environment,
        "labels": plan.labels,
        "ports": plan.ports(host_port),
        "volumes": {str(host): {"bind": inside, "mode": "ro"} for inside, host in mounts.items()},
    }
    if plan.restart_policy is not None:
        options["restart_policy"] = plan.restart_policy
    try:
        container = client.containers.create(**options)
    except docker.errors.APIError as error:
        raise GatewayStartFailed(f"cannot create gateway container {plan.name}: {_explain(error)}") from None
    try:
        container.start()
    except docker.errors.APIError as error:
        remove_container(container, timeout=1)
        raise GatewayStartFailed(f"cannot start gateway container {plan.name}: {_explain(error)}") from None
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


def _ensure_image(client: Any, image: str, progress: bool) -> None:
    import docker

    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    if progress:
        print(f"ibrun: pulling gateway image {image} ...", flush=True)
    try:
        client.images.pull(image)
    except docker.errors.APIError as error:
        raise GatewayStartFailed(f"gateway image {image} is not available: {_explain(error)}") from None


def _explain(error: Any) -> str:
    return str(getattr(error, "explanation", None) or error)
