"""The click app: the `ibrun` group, its global options and the lazily imported commands.

Commands are imported only when invoked, so `ibrun validate` never pays for nautilus_trader's
import. Running the app, printing errors and choosing the exit status is `runner.cli.entry`'s job.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click

from runner import __version__
from runner.cli.commands import COMMANDS, is_spec_file, shorthand_command


@dataclass
class Settings:
    """The global options, read by the console entry once the command has ended."""

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
    """
    ctx.ensure_object(Settings).traceback = show_traceback
