"""`ibrun`'s console entry: runs one command in this process, and is the one place that prints
errors and chooses the exit status.

Every command ends in one of three ways: it returns (exit 0, or the status it set with
``ctx.exit``: `validate` 1 for invalid specs, `diff` 1 for a difference), it raises an
:class:`runner.errors.IbrunError` (printed once, with its exit code), or click reports a usage
error (exit 2). SIGINT and SIGTERM raise KeyboardInterrupt from the start (`runner.launch.signals`):
the command's `with` blocks stop what it started, and the exit status is 130.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from runner.cli.app import Settings, cli
from runner.errors import ExitCode, IbrunError, Interrupted, user_message
from runner.launch import signals


def main(argv: Sequence[str] | None = None) -> None:
    """Run `ibrun ARGS`; return on success, else raise SystemExit with the exit status."""
    signals.install()
    status = run(list(sys.argv[1:] if argv is None else argv))
    if status != ExitCode.OK:
        sys.exit(status)


def run(args: list[str]) -> int:
    """Run `ibrun ARGS` and return its exit status (errors are printed here, nowhere else)."""
    settings = Settings()
    try:
        result = cli.main(args=args, prog_name="ibrun", standalone_mode=False, obj=settings)
    except click.ClickException as error:
        error.show()
        return ExitCode.USAGE
    except click.exceptions.Abort as abort:  # what click makes of a KeyboardInterrupt
        return report(_interrupted(), abort, settings.traceback)
    except Exception as error:
        return report(reported(error), error, settings.traceback)
    return result if isinstance(result, int) else ExitCode.OK


def reported(error: Exception) -> IbrunError:
    """What to report for ``error``. After SIGINT/SIGTERM it is the interruption, whatever the
    unwinding raised (a KeyboardInterrupt inside a C extension's import surfaces as an
    ImportError); any other exception that is no IbrunError is re-raised: a bug in ibrun, whose
    traceback is the report."""
    if signals.received and not isinstance(error, Interrupted):
        return _interrupted()
    if isinstance(error, IbrunError):
        return error
    raise error


def _interrupted() -> Interrupted:
    # The `with` blocks the KeyboardInterrupt unwound stopped whatever the command had started.
    return Interrupted(f"interrupted by {signals.first()}; nothing left running")


def report(error: IbrunError, cause: BaseException, show_traceback: bool) -> int:
    """Print ``error`` as users see it (``cause``'s traceback first when asked); return its exit code."""
    if show_traceback:
        traceback.print_exception(cause)
    click.echo(user_message(error), err=True)
    return error.exit_code
