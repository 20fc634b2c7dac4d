"""`ibrun run SPEC`: launch and supervise the spec's TradingNode (runner/launch does the work).

Errors are raised as :class:`runner.errors.IbrunError` subclasses; the CLI prints ``str(err)``
and exits with ``err.exit_code``. ``python -m runner.commands.run`` runs the command on its own.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from runner.commands.common import load_options, spec_options
from runner.errors import ExitCode, IbrunError, Interrupted, NodeFailed

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
    from runner.launch import signals

    signals.install()
    try:
        summary = _run(spec, duration, dry_run, confirm_live, sets, env_file, no_status)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted by {signals.last()} before the node ran; nothing left running") from None
    except IbrunError as error:
        if show_traceback:
            traceback.print_exception(error)
        raise
    except Exception as error:
        if show_traceback:
            raise
        raise NodeFailed(f"unexpected {type(error).__name__}: {error} (rerun with --traceback for details)") from error
    from runner.launch.status import print_summary

    print_summary(summary)
    if summary.interrupted:
        raise Interrupted(f"stopped by {summary.stop_reason.removeprefix('signal ')}; node stopped cleanly")


def _run(spec, duration, dry_run, confirm_live, sets, env_file, no_status):  # type: ignore[no-untyped-def]
    from runner.launch.plan import RunOptions
    from runner.launch.prepare import Preparation, warm_up
    from runner.launch.run import run_plan

    options = RunOptions(
        duration=duration,
        dry_run=dry_run,
        confirm_live=confirm_live,
        status="off" if no_status else "auto",
    )
    # The spec is loaded, validated and compiled in a child while this process imports nautilus.
    with Preparation(spec, load_options(sets, env_file), options) as preparation:
        warm_up(preparation)
        plan = preparation.result()
    return run_plan(plan, options)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m runner.commands.run SPEC ...`), same contract as the CLI."""
    from runner.launch import signals

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
