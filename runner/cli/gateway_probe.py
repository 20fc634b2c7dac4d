"""`ibrun gateway probe HOST:PORT`: does a TWS API answer there? A full handshake (server version,
startApi, nextValidId and managed accounts), not a TCP connect: exit 0 when it answers, else the
error's code (4 nothing listening, 5 no handshake, 6 client id in use). `--wait` polls until it
answers; `--watch` keeps probing and prints each change (a gateway's health container)."""

from __future__ import annotations

import time

import click

from runner.address import BadAddress, parse_host_port
from runner.errors import IbrunError, UsageError

DEFAULT_CLIENT_ID = 1_999_999_010


def _address(text: str) -> tuple[str, int]:
    try:
        return parse_host_port(text, port_zero=False)
    except BadAddress as error:
        raise UsageError(f"{text!r}: {error}; expected HOST:PORT, e.g. 127.0.0.1:4002") from None


@click.command("probe")
@click.argument("address", metavar="HOST:PORT")
@click.option("--client-id", type=click.IntRange(0, 2**31 - 1), default=DEFAULT_CLIENT_ID, show_default=True)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds per handshake."
)
@click.option(
    "--wait",
    "wait_for",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Retry until the API answers, at most SECONDS.",
)
@click.option("--watch", is_flag=True, help="Probe forever; print when the API starts or stops answering.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds between probes with --watch.",
)
def probe_command(
    address: str, client_id: int, timeout: float, wait_for: float | None, watch: bool, interval: float
) -> None:
    """Exit 0 when the TWS API at HOST:PORT answers a handshake (4/5/6 when not)."""
    from runner.gateway.probe import probe_gateway

    host, port = _address(address)
    if watch:
        _watch(host, port, client_id, timeout, interval)
        return
    deadline = None if wait_for is None else time.monotonic() + wait_for
    delay = 0.25
    while True:
        try:
            result = probe_gateway(host, port, client_id=client_id, timeout=timeout)
            break
        except IbrunError:
            if deadline is None or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)  # the next handshake attempt, backing off: the event is the API answering
        delay = min(delay * 2, 5.0)
    accounts = ",".join(result.managed_accounts) or "-"
    click.echo(
        f"{address}: API answers (server version {result.server_version}, accounts {accounts}, "
        f"{result.elapsed * 1000:.0f} ms)"
    )


def _watch(host: str, port: int, client_id: int, timeout: float, interval: float) -> None:
    from runner.gateway.probe import probe_gateway

    state: str | None = None
    while True:
        try:
            result = probe_gateway(host, port, client_id=client_id, timeout=timeout)
            now = f"API answers (server version {result.server_version})"
        except IbrunError as error:
            now = f"API does not answer: {error}"
        if now != state:
            click.echo(f"{host}:{port}: {now}")
            state = now
        time.sleep(interval)
