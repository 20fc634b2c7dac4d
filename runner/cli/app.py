"""The click app — the `ibrun` group, its global options, the lazily imported commands — and
:func:`main`, the one place that prints errors and chooses the exit status.

Commands are imported only when invoked, so `ibrun validate` never pays for nautilus_trader's
import. Every command ends in one of three ways: it returns (exit 0, or the status it set with
``ctx.exit``: `validate` 1 for invalid specs, `diff` 1 for a difference), it raises an
:class:`runner.errors.IbrunError` (printed once, with its exit code), or click reports a usage
error (exit 2). After SIGINT/SIGTERM the status is 130 (`runner.launch.signals`, installed by the
console entry `runner.cli.entry` before this module is imported).
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

import click

from runner import __version__
from runner.cli.commands import COMMANDS, is_spec_file, shorthand_command
from runner.errors import ExitCode, IbrunError, Interrupted, user_message
from runner.launch import signals


@dataclass
class Settings:
    """The global options, read by :func:`main` once the command has ended."""

    traceback: bool = False


class LazyGroup(click.Group):
    """Imports a command only when it is invoked; `ibrun SPEC` means `ibrun run SPEC`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS and is_spec_file(args[0]):
            args = [shorthand_command(args[0]), *args]
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ibrun")
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    envvar="IBRUN_TRACEBACK",
    help="Show Python tracebacks of errors (for bug reports); IBRUN_TRACEBACK=1 does the same.",
)
@click.pass_context
def cli(ctx: click.Context, show_traceback: bool) -> None:
    """ibrun: run NautilusTrader's Interactive Brokers adapter from YAML specs.

    \b
    ibrun SPEC                 run a spec (same as `ibrun run SPEC`)
    ibrun validate PATH...     check specs: every error, file:line:col
    ibrun render SPEC          print the compiled nautilus TradingNodeConfig
    ibrun sim                  start the built-in simulated IB gateway
    ibrun status SPEC|URL      is a running node ready? (exit 0 ready, 14 not)
    ibrun export compose|k8s FLEET   a fleet of specs for docker compose or Kubernetes
    """
    ctx.ensure_object(Settings).traceback = show_traceback


def main(argv: Sequence[str] | None = None) -> None:
    """Run `ibrun ARGS`; return on success, else raise SystemExit with the exit status."""
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
    if signals.received:  # its KeyboardInterrupt was lost (see runner.launch.signals)
        return report(_interrupted(), None, settings.traceback)
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


def report(error: IbrunError, cause: BaseException | None, show_traceback: bool) -> int:
    """Print ``error`` as users see it (``cause``'s traceback first when asked); return its exit code."""
    if show_traceback and cause is not None:
        traceback.print_exception(cause)
    click.echo(user_message(error), err=True)
    return error.exit_code
