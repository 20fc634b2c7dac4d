"""The dockerized IB Gateway lifecycle: create or reuse, wait for the API, stop and remove.

Readiness is the API itself answering a TWS handshake on the published port (server version +
managed accounts), polled with backoff: never a grep of the container's log. A container that
exits, or does not answer within `gateway.docker.timeout`, is removed and reported with the
last lines of its log. Nothing is left behind after a failed or interrupted start. The secret
files mounted into it are removed once its API answers (the login has read them) unless a restart
policy may need them again, and every command here first sweeps the secret files of containers
that are gone (`runner.gateway.secrets`).

API used by `ibrun run` (runner.launch.gateway) and `ibrun gateway ...`:

- ``start_docker_gateway(spec, base_dir, *, spec_path=None, progress=True) -> GatewayHandle``
- ``stop_docker_gateway(handle, *, force=False) -> bool``
- ``docker_gateway(spec, base_dir, *, spec_path=None, progress=True)``: a context manager
  yielding the handle (``.host``/``.port`` like ``runner.model.gateway.Endpoint``); it stops and
  removes the container at exit if it created it and the spec does not say ``keep: true``.

``spec`` may also be a ``runner.validation.pipeline.LoadedSpec`` (then base_dir/spec_path come from it).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import ClientIdInUse, GatewayStartFailed, GatewayUnreachable, HandshakeTimeout
from runner.gateway import container as plans
from runner.gateway import engine
from runner.gateway.probe import ProbeResult, probe_gateway
from runner.gateway.progress import ReadinessDisplay
from runner.gateway.secrets import claimed, mount_secret, redact, remove_secrets, resolve_secret, secret_dir, sweep
from runner.model import Spec

# Client id of the readiness probe: far from the ids specs use, so it never collides (326).
READINESS_CLIENT_ID = 1_999_999_001
# Probe schedule (seconds between probe starts). A refused probe is one loopback connect
# (< 1 ms), so polling every 0.1 s during the first seconds costs nothing and bounds the
# detection lag at 0.1 s; past SLOW_AFTER (a 2FA wait, a slow login) the cap rises to
# SLOW_DELAY so a real gateway's socat does not fork ten times a second for minutes.
FIRST_DELAY, MAX_DELAY = 0.02, 0.1
SLOW_AFTER, SLOW_DELAY = 10.0, 0.25
# The container's state (did it exit?) costs an engine inspect; it is checked at most this
# often, inside the wait between probes, so it never delays a probe.
STATE_EVERY = 0.5
STOP_TIMEOUT = 10  # seconds between SIGTERM and SIGKILL on stop


class GatewayReadyTimeout(GatewayStartFailed):
    """The container ran, but its API never answered a handshake within the timeout."""


@dataclass
class GatewayHandle:
    """A running gateway container whose API answered; `host:port` is where to connect."""

    host: str
    port: int
    container_id: str
    container_name: str
    created: bool
    """True if this call created the container (False: a healthy one was reused)."""
    keep: bool
    probe: ProbeResult
    startup_seconds: float
    client: Any = field(repr=False, default=None)
    steps: list[tuple[str, float, float]] = field(repr=False, default_factory=list)
    """Where the startup time went: (step, began, seconds), `began` from the call's start."""
    counts: dict[str, int] = field(repr=False, default_factory=dict)
    """Probe attempts and container state checks made while waiting."""

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class _Steps:
    """Records (step, began, seconds) relative to one start instant: the startup breakdown."""

    def __init__(self) -> None:
        self.origin = time.monotonic()
        self.items: list[tuple[str, float, float]] = []
        self.counts: dict[str, int] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.items.append((name, began - self.origin, time.monotonic() - began))

    def mark(self, name: str, began: float, ended: float | None = None) -> None:
        self.items.append((name, began - self.origin, (ended if ended is not None else began) - began))


@dataclass(frozen=True)
class _Target:
    spec: Spec
    base_dir: Path
    identity: str


def start_docker_gateway(
    spec: Any,
    base_dir: Path | None = None,
    *,
    spec_path: Path | None = None,
    progress: bool = True,
    environ: Mapping[str, str] | None = None,
) -> GatewayHandle:
    """Reuse the spec's healthy container or create one; return once its API answers."""
    steps = _Steps()
    with steps("resolve"):
        target = _target(spec, base_dir, spec_path)
        docker_cfg = target.spec.gateway.docker
        assert docker_cfg is not None
        environ = os.environ if environ is None else environ
        username = resolve_secret(docker_cfg.username, target.base_dir, "username", environ)
        password = resolve_secret(docker_cfg.password, target.base_dir, "password", environ)
        plan = plans.plan_container(target.spec, target.identity, username)
    with steps("connect"):
        client = engine.connect()
        sweep_secrets(client)
    with steps("lookup"):
        existing = engine.find_container(client, plan.name)
    if existing is not None and _reusable(existing, plan):
        port = plans.published_port(existing, plan.container_port)
        assert port is not None
        probe = wait_until_ready(existing, port, docker_cfg.timeout, progress, [password], steps=steps)
        if plan.restart_policy is None and secret_dir(plan.name).exists():
            with claimed(plan.name):  # after any start of it still underway (its login reads them)
                remove_secrets(plan.name)
        return _handle(existing, port, probe, False, docker_cfg.keep, steps, client)
    if existing is not None:
        with steps("remove-stale"):
            engine.remove_container(existing, STOP_TIMEOUT)
    with claimed(plan.name):  # until the API answers: a sweep leaves the files alone
        container, port = _create(client, plan, target, password, environ, progress, steps)
        probe = _ready_or_discard(container, plan.name, port, docker_cfg.timeout, progress, [password], steps)
        if plan.restart_policy is None:
            remove_secrets(plan.name)  # the login has read them; only a restart would need them again
    return _handle(container, port, probe, True, docker_cfg.keep, steps, client)


def _ready_or_discard(
    container: Any, name: str, port: int, timeout: float, progress: bool, secrets: list[str], steps: _Steps
) -> ProbeResult:
    try:
        return wait_until_ready(container, port, timeout, progress, secrets, steps=steps)
    except BaseException:  # failed, timed out or interrupted (any signal): leave nothing behind
        _discard(container, name)
        raise


def sweep_secrets(client: Any) -> list[str]:
    """Remove secret files left by containers that are gone (see `runner.gateway.secrets.sweep`)."""
    return sweep(lambda name: engine.find_container(client, name) is not None)


def stop_docker_gateway(handle: GatewayHandle, *, force: bool = False) -> bool:
    """Stop and remove the container if this run created it and may (or `force`); True if so."""
    if not force and (handle.keep or not handle.created):
        return False
    container = engine.find_container(handle.client or engine.connect(), handle.container_id)
    if container is not None:
        engine.remove_container(container, STOP_TIMEOUT)
    remove_secrets(handle.container_name)
    return True


@contextlib.contextmanager
def docker_gateway(
    spec: Any,
    base_dir: Path | None = None,
    *,
    spec_path: Path | None = None,
    progress: bool = True,
) -> Iterator[GatewayHandle]:
    handle = start_docker_gateway(spec, base_dir, spec_path=spec_path, progress=progress)
    try:
        yield handle
    finally:
        stop_docker_gateway(handle)


def remove_spec_gateway(spec: Any, base_dir: Path | None = None, *, spec_path: Path | None = None) -> str | None:
    """`ibrun gateway down`: stop and remove the spec's container; its name, or None if none."""
    target = _target(spec, base_dir, spec_path)
    name = plans.container_name(target.spec, target.identity)
    client = engine.connect()
    existing = engine.find_container(client, name)
    if existing is not None:
        engine.remove_container(existing, STOP_TIMEOUT)
    remove_secrets(name)
    sweep_secrets(client)
    return None if existing is None else name


def spec_container(spec: Any, base_dir: Path | None = None, *, spec_path: Path | None = None) -> tuple[str, Any]:
    """The spec's container name and container object (None when there is none)."""
    target = _target(spec, base_dir, spec_path)
    name = plans.container_name(target.spec, target.identity)
    client = engine.connect()
    sweep_secrets(client)
    return name, engine.find_container(client, name)


def wait_until_ready(
    container: Any,
    port: int,
    timeout: float,
    progress: bool,
    secrets: list[str],
    *,
    steps: _Steps | None = None,
) -> ProbeResult:
    """Poll the API handshake until it answers, the container dies, or timeout.

    The first probe goes out at once; later ones start every FIRST_DELAY..MAX_DELAY seconds
    (a fixed schedule: a slow probe or state check does not push the next one back). The
    container's state is inspected at most every STATE_EVERY seconds, in the gap between two
    probes, and once more before a timeout is reported.
    """
    steps = steps or _Steps()
    began = time.monotonic()
    deadline = began + timeout
    delay, client_id, last_error = FIRST_DELAY, READINESS_CLIENT_ID, "no attempt yet"
    probes = state_checks = 0
    first_accept: float | None = None
    next_state_check = began + STATE_EVERY
    with ReadinessDisplay(container.name, port, timeout, enabled=progress) as display:
        while True:
            attempt = time.monotonic()
            remaining = deadline - attempt
            probes += 1
            try:
                result = probe_gateway(plans.LOOPBACK, port, client_id=client_id, timeout=max(0.5, min(5.0, remaining)))
            except ClientIdInUse:
                client_id += 1  # someone uses our probe id: the API is up, try another id
                next_probe = time.monotonic()
            except (GatewayUnreachable, HandshakeTimeout) as error:
                last_error = str(error)
                if first_accept is None and not isinstance(error, GatewayUnreachable):
                    first_accept = attempt  # the port accepts (forwarder up), the API not yet
                next_probe = attempt + delay
            else:
                steps.mark("wait-ready", began, time.monotonic())
                if first_accept is not None:
                    steps.mark("port-accepts", first_accept)
                steps.counts.update(probes=probes, state_checks=state_checks)
                return result
            if time.monotonic() >= next_state_check or next_probe >= deadline:
                state_checks += 1
                _raise_if_exited(container, secrets)
                next_state_check = time.monotonic() + STATE_EVERY
            now = time.monotonic()
            if now >= deadline:
                raise _timeout_error(container, port, timeout, last_error, secrets)
            display.update(last_error)
            time.sleep(max(0.0, min(next_probe, deadline) - time.monotonic()))
            cap = MAX_DELAY if now - began < SLOW_AFTER else SLOW_DELAY
            delay = min(delay * 1.5, cap)


def _target(spec: Any, base_dir: Path | None, spec_path: Path | None) -> _Target:
    if hasattr(spec, "spec") and hasattr(spec, "base_dir"):  # a runner.validation.pipeline.LoadedSpec
        spec, base_dir, spec_path = spec.spec, spec.base_dir, spec_path or spec.path
    if spec.gateway.docker is None:
        raise GatewayStartFailed("this spec has no `gateway.docker` section")
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    return _Target(spec, base, plans.spec_identity(spec, base, spec_path))


def _reusable(container: Any, plan: plans.ContainerPlan) -> bool:
    labels = container.labels or {}
    return (
        container.status == "running"
        and labels.get(plans.LABEL_CONFIG) == plan.labels[plans.LABEL_CONFIG]
        and plans.published_port(container, plan.container_port) is not None
    )


def _create(
    client: Any,
    plan: plans.ContainerPlan,
    target: _Target,
    password: str,
    environ: Mapping[str, str],
    progress: bool,
    steps: _Steps,
) -> tuple[Any, int]:
    docker_cfg = target.spec.gateway.docker
    assert docker_cfg is not None
    host_port = plan.host_port or plans.free_loopback_port()
    try:
        with steps("secret-files"):
            mounts = {
                plans.PASSWORD_MOUNT: mount_secret(
                    docker_cfg.password, target.base_dir, plan.name, "tws_password", password
                ).host_path
            }
            if plan.vnc_port is not None:
                mounts[plans.VNC_PASSWORD_MOUNT] = _vnc_password_file(docker_cfg, target, plan, environ)
        container = engine.create_and_start(client, plan, host_port, mounts, progress, steps=steps)
    except BaseException:
        remove_secrets(plan.name)
        raise
    return container, host_port


def _vnc_password_file(docker_cfg: Any, target: _Target, plan: plans.ContainerPlan, environ: Mapping[str, str]) -> Path:
    from runner.model.gateway import SecretRef

    ref = docker_cfg.vnc_password or SecretRef(env="VNC_SERVER_PASSWORD")
    value = resolve_secret(ref, target.base_dir, "VNC password", environ)
    return mount_secret(ref, target.base_dir, plan.name, "vnc_password", value).host_path


def _discard(container: Any, name: str) -> None:
    with contextlib.suppress(Exception):
        engine.remove_container(container, timeout=2)
    remove_secrets(name)


def _raise_if_exited(container: Any, secrets: list[str]) -> None:
    container.reload()
    if container.status in ("exited", "dead", "stopped"):
        code = container.attrs.get("State", {}).get("ExitCode")
        tail = redact(plans.log_tail(container), secrets)
        raise GatewayStartFailed(
            f"gateway container {container.name} exited (code {code}) before its API answered"
            f" (login failed?). Last log lines:\n{_indent(tail)}"
        )


def _timeout_error(
    container: Any, port: int, timeout: float, last_error: str, secrets: list[str]
) -> GatewayReadyTimeout:
    tail = redact(plans.log_tail(container), secrets)
    return GatewayReadyTimeout(
        f"gateway container {container.name} did not answer the API handshake on "
        f"{plans.LOOPBACK}:{port} within {timeout:g}s (last: {redact(last_error, secrets)}); "
        f"raise gateway.docker.timeout or check the login (2FA?). Last log lines:\n{_indent(tail)}"
    )


def _indent(text: str) -> str:
    return "\n".join(f"  | {line}" for line in text.splitlines()) or "  | (no output)"


def _handle(
    container: Any, port: int, probe: ProbeResult, created: bool, keep: bool, steps: _Steps, client: Any
) -> GatewayHandle:
    return GatewayHandle(
        host=plans.LOOPBACK,
        port=port,
        container_id=container.id,
        container_name=container.name,
        created=created,
        keep=keep,
        probe=probe,
        startup_seconds=time.monotonic() - steps.origin,
        client=client,
        steps=steps.items,
        counts=steps.counts,
    )


def spec_secrets(spec: Any, base_dir: Path | None = None) -> list[str]:
    """The spec's secret values that resolve (to mask them in printed logs), else none."""
    target = _target(spec, base_dir, None)
    docker_cfg = target.spec.gateway.docker
    assert docker_cfg is not None
    values = []
    for ref in (docker_cfg.password, docker_cfg.username):
        with contextlib.suppress(GatewayStartFailed):
            values.append(resolve_secret(ref, target.base_dir, "secret"))
    return values
