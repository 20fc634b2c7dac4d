"""`ibrun sim`: the simulated IB Gateway as a click command (`sim_command`)."""

from __future__ import annotations

import click

from runner.ib.pacing import PacingRules
from runner.sim.config import SimConfig


@click.command("sim", help="Run a simulated IB Gateway speaking the TWS API socket protocol until SIGINT/SIGTERM.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=4002, show_default=True, type=click.IntRange(0, 65535), help="API port (0 picks a free port)."
)
@click.option("--seed", default=42, show_default=True, type=int, help="Seed of the deterministic market.")
@click.option(
    "--universe",
    "universe_files",
    multiple=True,
    type=click.Path(exists=True),
    help="Extra instruments (YAML/JSON, see runner/sim/README.md); repeatable.",
)
@click.option("--account", "accounts", multiple=True, help="Managed account id; repeatable (default DU123456).")
@click.option(
    "--control-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="JSON-lines control port on 127.0.0.1 (0 picks a free port).",
)
@click.option("--read-only", is_flag=True, help="Read-only API: orders are rejected (321).")
@click.option(
    "--no-live-data", is_flag=True, help="No live market-data permissions: delayed requests get delayed tick types."
)
@click.option("--tick-interval-ms", default=250, show_default=True, type=int, help="Market clock period.")
@click.option(
    "--server-version-max",
    default=200,
    show_default=True,
    type=int,
    help="Highest API version offered (≤ 200: text protocol).",
)
@click.option("--no-pacing", is_flag=True, help="Disable historical-data pacing (error 162).")
@click.option(
    "--pacing-scale",
    default=1.0,
    show_default=True,
    type=float,
    help="Multiply the pacing time windows (e.g. 0.01 in tests).",
)
@click.option(
    "--market-hours",
    type=click.Choice(["exchange", "always_open"]),
    default="exchange",
    show_default=True,
    help="Exchange calendars and trading hours, or every market open around the clock.",
)
@click.option(
    "--replay",
    "replay_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Serve clients from a recording (`ibrun record`) instead of the simulated world.",
)
@click.option(
    "--replay-speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Replay streams this many times faster than recorded (0: at once).",
)
@click.option(
    "--max-connections",
    default=64,
    show_default=True,
    type=click.IntRange(1),
    help="Open API connections at most (more are closed as they are accepted).",
)
@click.option(
    "--handshake-max-bytes",
    default=4096,
    show_default=True,
    type=click.IntRange(64),
    help="Largest frame a connection may announce before its startApi.",
)
@click.option(
    "--handshake-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a connection may take to send startApi before it is closed.",
)
@click.option("--ready-file", type=click.Path(), default=None, help="Write the READY line to this file once listening.")
@click.option("--log-level", default="WARNING", show_default=True)
@click.option("--config-json", default=None, hidden=True, help="Complete SimConfig as JSON (used by the launcher).")
def sim_command(
    host: str,
    port: int,
    seed: int,
    universe_files: tuple[str, ...],
    accounts: tuple[str, ...],
    control_port: int | None,
    read_only: bool,
    no_live_data: bool,
    tick_interval_ms: int,
    server_version_max: int,
    no_pacing: bool,
    pacing_scale: float,
    market_hours: str,
    replay_file: str | None,
    replay_speed: float,
    max_connections: int,
    handshake_max_bytes: int,
    handshake_timeout: float,
    ready_file: str | None,
    log_level: str,
    config_json: str | None,
) -> None:
    # Errors (a port in use, an unreadable universe file) reach the CLI's one printer (runner.cli.app.main).
    from runner.sim.app import run  # the simulator itself: not needed for `ibrun --help`

    if config_json:
        config = SimConfig.from_json(config_json)
    else:
        pacing = None if no_pacing else PacingRules().scaled(pacing_scale)
        config = SimConfig(
            host=host,
            port=port,
            seed=seed,
            universe_files=tuple(universe_files),
            accounts=tuple(accounts) or ("DU123456",),
            read_only_api=read_only,
            live_data_permissions=not no_live_data,
            tick_interval_ms=tick_interval_ms,
            control_port=control_port,
            pacing=pacing,
            server_version_max=min(server_version_max, 200),
            market_hours="always_open" if market_hours == "always_open" else "exchange",
            replay_file=replay_file,
            replay_speed=replay_speed,
            max_connections=max_connections,
            handshake_max_bytes=handshake_max_bytes,
            handshake_timeout_s=handshake_timeout,
            log_level=log_level,
        )
    run(config, ready_file)
