"""The thin click layer: parse arguments, call one command, map IbrunError to an exit code.

Commands are imported lazily so that `ibrun validate` never pays for nautilus_trader's import.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import traceback
from typing import Any

import click

from runner import __version__
from runner.cli.commands import COMMANDS, is_spec_file, shorthand_command
from runner.errors import ExitCode, IbrunError, user_message


class LazyGroup(click.Group):
    """Imports a command only when it is invoked; `ibrun SPEC` means `ibrun run SPEC`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, Any, list[str]]:
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
    help="Show Python tracebacks for errors (for bug reports).",
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
    """
    ctx.obj = {"traceback": show_traceback}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args or bool(os.environ.get("IBRUN_TRACEBACK"))
    _install_signal_handlers()
    try:
        code = cli.main(args=args, prog_name="ibrun", standalone_mode=False)
        if isinstance(code, int) and code != 0:  # a command's ctx.exit(code)
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Abort:
        sys.exit(ExitCode.INTERRUPTED)
    except IbrunError as exc:
        if show_traceback:
            traceback.print_exc()
        click.echo(user_message(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)


def _install_signal_handlers() -> None:
    # From the first instruction on, SIGTERM behaves like Ctrl-C (KeyboardInterrupt → exit 130
    # after the `with` blocks stopped whatever was started), whatever phase ibrun is in. (Not in
    # `ibrun run`'s preparing child: a signal just ends it, and the parent reports.)
    from runner.launch.handoff import in_child

    if threading.current_thread() is threading.main_thread() and not in_child():
        from runner.launch import signals

        signals.install()
