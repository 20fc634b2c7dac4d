"""`ibrun record`: sit between a TWS API client and a real TWS/IB Gateway and write the session to a
recording that `ibrun sim --replay FILE` serves later (format: runner/sim/README.md)."""

from __future__ import annotations

from pathlib import Path

import click

from runner.address import BadAddress, parse_host_port
from runner.errors import UsageError


def _address(value: str, what: str) -> tuple[str, int]:
    try:
        return parse_host_port(value, default_host="127.0.0.1")
    except BadAddress as error:
        raise UsageError(f"ibrun record: {what} {value!r}: {error} (HOST:PORT or PORT)") from None


@click.command("record", help="Record a TWS API session: proxy between clients and a real gateway.")
@click.option("--upstream", required=True, metavar="HOST:PORT", help="The real TWS / IB Gateway API address.")
@click.option("--listen", required=True, metavar="[HOST:]PORT", help="Where clients connect instead (0: a free port).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Recording file.")
@click.option(
    "--no-scrub", is_flag=True, help="Keep account ids and other personal fields (default: replaced/blanked)."
)
@click.option(
    "--max-version",
    default=200,
    show_default=True,
    type=int,
    help="Cap the client's advertised API version (≤ 200 keeps the text protocol a replay reads; 0: untouched).",
)
def record_command(upstream: str, listen: str, out: Path, no_scrub: bool, max_version: int) -> None:
    from runner.sim.replay.run import record  # asyncio server and the recorder: not needed for --help

    up_host, up_port = _address(upstream, "--upstream")
    listen_host, listen_port = _address(listen, "--listen")
    record(up_host, up_port, listen_host, listen_port, out, scrub=not no_scrub, max_version=max_version)
