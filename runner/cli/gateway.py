"""`ibrun gateway up|down|status|logs SPEC`: the spec's dockerized IB Gateway by hand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runner.cli.options import confirm_live_option, load_options, spec_options
from runner.errors import GatewayUnreachable, Interrupted

if TYPE_CHECKING:
    from runner.validation.pipeline import LoadedSpec

SPEC_ARGUMENT = click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))


def _load(spec: Path, sets: tuple[str, ...], env_file: Path | None) -> LoadedSpec:
    from runner.validation.pipeline import load_spec

    return load_spec(spec, load_options(sets, env_file))


@click.group("gateway")
def gateway_group() -> None:
    """Start, stop and inspect the spec's dockerized IB Gateway (gateway.docker)."""


@gateway_group.command("up")
@SPEC_ARGUMENT
@spec_options
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@confirm_live_option
def up_command(spec: Path, sets: tuple[str, ...], env_file: Path | None, quiet: bool, confirm_live: bool) -> None:
    """Start (or reuse) the container and wait until its API answers; it keeps running.

    A live, writable container needs --confirm-live (exit 3 otherwise; checked on the spec, and on
    the accounts the API announces: a container refused then is removed again)."""
    from runner.launch.gateway import start_checked_container
    from runner.launch.interlock import Consent, Interlock

    loaded = _load(spec, sets, env_file)
    interlock = Interlock(loaded.spec, "gateway up", Consent(confirm_live, dict(os.environ)))
    # SIGINT/SIGTERM/SIGHUP raise KeyboardInterrupt (the console entry installs runner.launch.signals
    # before any command): unwinding through the manager removes a half-started container.
    try:
        handle = start_checked_container(loaded, interlock, progress=not quiet)
    except KeyboardInterrupt:
        raise Interrupted("interrupted while starting the gateway; its container was removed") from None
    state = "created" if handle.created else "reused"
    accounts = ",".join(handle.probe.managed_accounts) or "-"
    click.echo(
        f"gateway {handle.container_name} ready at {handle.host}:{handle.port} ({state}; "
        f"server version {handle.probe.server_version}; accounts {accounts}; "
        f"{handle.startup_seconds:.2f}s)"
    )


@gateway_group.command("down")
@SPEC_ARGUMENT
@spec_options
def down_command(spec: Path, sets: tuple[str, ...], env_file: Path | None) -> None:
    """Stop and remove the spec's container (and its mounted secret files)."""
    from runner.gateway.manager import remove_spec_gateway

    name = remove_spec_gateway(_load(spec, sets, env_file))
    click.echo(f"gateway {name} removed" if name else "no gateway container for this spec")


@gateway_group.command("status")
@SPEC_ARGUMENT
@spec_options
def status_command(spec: Path, sets: tuple[str, ...], env_file: Path | None) -> None:
    """Container state and whether the API answers a handshake. Exit 4 if it does not (5, 6: see
    the exit codes)."""
    from runner.gateway import container as plans
    from runner.gateway.manager import spec_container
    from runner.gateway.probe import probe_gateway

    loaded = _load(spec, sets, env_file)
    name, container = spec_container(loaded)
    if container is None:
        raise GatewayUnreachable(f"gateway {name}: no container")
    mode = loaded.spec.gateway.trading_mode
    port = plans.published_port(container, plans.CONTAINER_API_PORTS[mode])
    click.echo(f"gateway {name}: {container.status} (image {container.attrs['Config']['Image']})")
    if port is None or container.status != "running":
        raise GatewayUnreachable(f"gateway {name} is {container.status}: its API is not published")
    result = probe_gateway(plans.LOOPBACK, port, client_id=1_999_999_002, timeout=5)
    accounts = ",".join(result.managed_accounts) or "-"
    click.echo(
        f"api {plans.LOOPBACK}:{port}: ready (server version {result.server_version}, "
        f"accounts {accounts}, handshake {result.elapsed * 1000:.0f} ms)"
    )


@gateway_group.command("logs")
@SPEC_ARGUMENT
@spec_options
@click.option("--tail", default=100, show_default=True, help="Lines from the end (0: all).")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines.")
def logs_command(spec: Path, sets: tuple[str, ...], env_file: Path | None, tail: int, follow: bool) -> None:
    """Print the container's log (secrets the spec references are masked)."""
    from runner.gateway.manager import spec_container, spec_secrets
    from runner.gateway.secrets import redact

    loaded = _load(spec, sets, env_file)
    name, container = spec_container(loaded)
    if container is None:
        raise GatewayUnreachable(f"gateway {name}: no container")
    secrets = spec_secrets(loaded)
    try:
        for line in log_lines(container, tail, follow):
            click.echo(redact(line, secrets), nl=False)
    except KeyboardInterrupt:
        pass


def log_lines(container: Any, tail: int, follow: bool) -> Iterator[str]:
    """The container log's last `tail` lines (0: all), then, if `follow`, new lines as they come.

    Whole lines only, each with its line end (a partial last line comes once complete), so a
    secret is never split across two writes of the redaction. The engine's own `tail` is not
    used: podman re-joins lines that were written in pieces wrongly (see
    `container.tail_lines`); the full log then a follow stream that skips what was printed is
    exact on both engines.
    """
    from runner.gateway.container import tail_lines

    snapshot = container.logs(tail="all").decode("utf-8", errors="replace")
    complete = snapshot[: snapshot.rfind("\n") + 1]
    yield from tail_lines(complete, tail)
    if not follow:
        if len(complete) < len(snapshot):
            yield snapshot[len(complete) :] + "\n"
        return
    skip = complete.count("\n")  # the stream starts from the beginning again
    pending = b""
    for chunk in container.logs(tail="all", stream=True, follow=True):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if skip:
                skip -= 1
                continue
            yield line.decode("utf-8", errors="replace") + "\n"
    if pending and not skip:
        yield pending.decode("utf-8", errors="replace") + "\n"


# `ibrun gateway probe HOST:PORT` needs no spec (a fleet's healthchecks run it): its own module.
from runner.cli.gateway_probe import probe_command  # noqa: E402

gateway_group.add_command(probe_command)
