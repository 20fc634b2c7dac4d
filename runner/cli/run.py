"""`ibrun run SPEC`: load and validate the spec, then launch and supervise its TradingNode
(`runner.launch.run.execute` does the work). ``python -m runner.cli.run`` is ``ibrun run``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from runner.cli.options import confirm_live_option, load_options, spec_options

_SPEC_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("run")
@click.argument("spec", type=_SPEC_PATH)
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Stop gracefully after SECONDS of RUNNING (default: until Ctrl-C/SIGTERM).",
)
@click.option("--dry-run", is_flag=True, help="Compile and build the node; connect nothing.")
@confirm_live_option
@spec_options
@click.option("--no-status", is_flag=True, help="No live status table/lines; just the logs.")
@click.option(
    "--monitor",
    metavar="HOST:PORT",
    help="Serve /healthz, /readyz and /metrics there (overrides monitoring.listen; port 0: a free port).",
)
def run_command(
    spec: Path,
    duration: float | None,
    dry_run: bool,
    confirm_live: bool,
    sets: tuple[str, ...],
    env_file: Path | None,
    no_status: bool,
    monitor: str | None,
) -> None:
    """Run SPEC's TradingNode until Ctrl-C/SIGTERM (or --duration), then print a summary."""
    from runner.launch.run import RunOptions, execute

    options = RunOptions(
        duration=duration,
        dry_run=dry_run,
        confirm_live=confirm_live,
        status="off" if no_status else "auto",
    )
    if monitor is not None:  # an override like any --set: validated and located as one
        # Quoted: a --set value is YAML, where `[::1]:9090` would be a list.
        sets = (*sets, f"monitoring.listen={json.dumps(monitor)}")
    execute(spec, load_options(sets, env_file), options)


if __name__ == "__main__":  # `python -m runner.cli.run SPEC ...` = `ibrun run SPEC ...`
    from runner.cli.entry import main

    main(["run", *sys.argv[1:]])
