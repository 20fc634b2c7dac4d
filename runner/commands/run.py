"""`ibrun run SPEC`: launch and supervise the spec's TradingNode (runner/launch does the work).

Errors are raised as :class:`runner.errors.IbrunError` subclasses; the CLI prints ``str(err)``
and exits with ``err.exit_code``. ``python -m runner.commands.run`` runs the command on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from runner.commands.common import load_options, spec_options
from runner.errors import ExitCode, IbrunError, Interrupted
from runner.launch import signals

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
@click.option(
    "--confirm-live",
    is_flag=True,
    help="Allow a live, writable gateway with an exec client (or IBRUN_CONFIRM_LIVE=<trader_id>).",
)
@spec_options
@click.option("--traceback", "show_traceback", is_flag=True, help="Print tracebacks of errors.")
@click.option("--no-status", is_flag=True, help="No live status table/lines; just the logs.")
def run_command(
    spec: Path,
    duration: float | None,
    dry_run: bool,
    confirm_live: bool,
    sets: tuple[str, ...],
    env_file: Path | None,
    show_traceback: bool,
    no_status: bool,
) -> None:
    """Run SPEC's TradingNode until Ctrl-C/SIGTERM (or --duration), then print a summary."""
    from runner.launch import handoff
    from runner.launch.plan import RunOptions
    from runner.launch.prepare import prepare_file
    from runner.launch.run import execute

    options = RunOptions(
        duration=duration,
        dry_run=dry_run,
        confirm_live=confirm_live,
        status="off" if no_status else "auto",
    )
    try:
        plan = prepare_file(spec, load_options(sets, env_file), options)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted by {signals.last()} before the node ran; nothing left running") from None
    if handoff.in_child():  # `ibrun run` via runner.entry: the parent process runs the node
        handoff.send_plan(plan, options, show_traceback)
    execute(plan, options, show_traceback)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m runner.commands.run SPEC ...`), same contract as the CLI."""
    signals.install()
    try:
        run_command.main(args=argv, prog_name="ibrun run", standalone_mode=False)
    except KeyboardInterrupt:
        print(f"ibrun: interrupted by {signals.last()}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except IbrunError as error:
        print(f"ibrun: {error}", file=sys.stderr)
        return int(error.exit_code)
    except click.exceptions.Abort:
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
