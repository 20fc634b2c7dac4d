"""`ibrun instruments fetch|clear SPEC`: the spec's instrument cache by hand (runner/instruments).

`fetch` loads the spec's instruments from its gateway (starting a simulated/docker one if the spec
says so) and writes the cache file the next `ibrun run` starts from; `clear` removes it, so the
next run loads from the gateway again.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import click

from runner.cli.options import confirm_live_option, load_options, spec_options
from runner.errors import ClientIdInUse, Interrupted

SPEC_ARGUMENT = click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@click.group("instruments")
def instruments_group() -> None:
    """Fill or clear a spec's instrument cache (instruments.cache_validity_days / pickle_path)."""


@instruments_group.command("fetch")
@SPEC_ARGUMENT
@spec_options
@click.option("--client-id", type=int, help="API client id to load with (default: data.client_id).")
@click.option(
    "--retry-for",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="Keep retrying this long while the gateway fails (IB's restart window).",
)
@confirm_live_option
def fetch_command(
    spec: Path,
    sets: tuple[str, ...],
    env_file: Path | None,
    client_id: int | None,
    retry_for: float,
    confirm_live: bool,
) -> None:
    """Load SPEC's instruments from its gateway now and write its instrument cache."""
    from runner.instruments.fetch import cache_policy_of, fetch
    from runner.launch.gateway import gateway_endpoint
    from runner.launch.interlock import Consent, Interlock

    loaded, config = _load(spec, sets, env_file)
    cache_policy_of(config, str(spec))
    data = loaded.spec.data
    client_id = data.client_id if client_id is None else client_id
    # It never places orders: the interlock is for the container it may start (gateway.docker).
    interlock = Interlock(loaded.spec, "instruments fetch", Consent(confirm_live, dict(os.environ)))
    try:
        with gateway_endpoint(loaded, interlock) as endpoint:
            _probe(endpoint.host, endpoint.port, client_id)
            result = asyncio.run(
                fetch(
                    config,
                    endpoint.host,
                    endpoint.port,
                    client_id,
                    request_timeout=data.request_timeout,
                    connect_timeout=min(data.connection_timeout, 60),
                    retry_for=retry_for,
                )
            )
    except KeyboardInterrupt:
        raise Interrupted("interrupted; the instrument cache is unchanged") from None
    click.echo(
        f"fetched {result.instruments:,} instruments in {result.seconds:.1f} s"
        f" ({result.requests} requests, {result.retried} retried) → {result.path}"
    )


@instruments_group.command("clear")
@SPEC_ARGUMENT
@spec_options
def clear_command(spec: Path, sets: tuple[str, ...], env_file: Path | None) -> None:
    """Remove SPEC's instrument cache: the next run loads from the gateway."""
    from runner.instruments.fetch import clear

    _loaded, config = _load(spec, sets, env_file)
    removed = clear(config)
    for path in removed:
        click.echo(f"removed {path}")
    if not removed:
        click.echo(f"no instrument cache for {spec}")


def _load(spec: Path, sets: tuple[str, ...], env_file: Path | None) -> tuple[Any, Any]:
    """The loaded spec and its nautilus instrument-provider config (the cache is keyed by it)."""
    from runner.compile.compiler import compile_instrument_provider
    from runner.validation.pipeline import load_spec

    loaded = load_spec(spec, load_options(sets, env_file))
    return loaded, compile_instrument_provider(loaded.spec.instruments)


def _probe(host: str, port: int, client_id: int) -> None:
    """One handshake first, as `ibrun run` does: unreachable (4), handshake timeout (5) and client
    id in use (6) become one clear error instead of the adapter's reconnect loop."""
    from runner.gateway.probe import probe_gateway

    try:
        probe_gateway(host, port, client_id=client_id, timeout=10.0)
    except ClientIdInUse as error:
        raise ClientIdInUse(f"{error} (use --client-id to load with another id)") from error
