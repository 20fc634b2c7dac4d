"""`ibrun`'s console entry: picks the command before anything heavy is imported.

Running a node spends ≈ 1 s importing nautilus, and loading + validating the spec (pydantic,
click, the loader) would add ≈ 0.4 s before it. So when the arguments ask to run a spec, this
process starts importing nautilus at once while a forked child runs the ordinary CLI up to the
launch plan (`runner.launch.handoff`); the node then runs here. Every other invocation — and any
run whose arguments this quick look does not recognise — goes straight to `runner.cli.app`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from runner.cli.commands import COMMANDS, is_spec_file, shorthand_command

# What the node needs, in import order; between two, the parent looks for the child's answer.
WARM_IMPORTS = (
    "pandas",  # a third of the time, and a first early point to see a spec error
    "nautilus_trader.model.identifiers",
    "nautilus_trader.config",
    "nautilus_trader.live.node",
    "nautilus_trader.adapters.interactive_brokers.factories",
    "runner.launch.run",
    "runner.launch.subscriber",
    "runner.launch.supervise",
)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if hasattr(os, "fork") and runs_a_node(args):
        _run_in_two_processes(args)
    from runner.cli.app import main as cli_main

    cli_main(args)


def runs_a_node(args: list[str]) -> bool:
    """`ibrun run …` or `ibrun SPEC …` where SPEC is not a download spec (and no help asked)."""
    if not args or args[0].startswith("-") or "--help" in args or "-h" in args:
        return False
    if args[0] in COMMANDS:
        return args[0] == "run"
    return is_spec_file(args[0]) and shorthand_command(args[0]) == "run"


def _run_in_two_processes(args: list[str]) -> None:
    from runner.errors import ExitCode, IbrunError, user_message
    from runner.launch import signals
    from runner.launch.handoff import Handoff

    signals.install()
    try:
        with Handoff(lambda: _cli(args)) as handoff:
            _warm_up(handoff, signals)
            kind, value = handoff.result()
    except KeyboardInterrupt:
        print(user_message(signals.interrupted_before_the_node()), file=sys.stderr)
        sys.exit(ExitCode.INTERRUPTED)
    if kind == "exit":
        sys.exit(value)  # the child's CLI printed what it had to say
    plan, options, show_traceback = value
    from runner.launch.run import execute

    try:
        execute(plan, options, show_traceback)  # prints the traceback itself when asked
    except IbrunError as error:
        print(user_message(error), file=sys.stderr)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(0)


def _warm_up(handoff: Any, signals: Any) -> None:
    # Signals wait for the next step: one interrupting a C extension's import (numpy, nautilus)
    # would surface as an unrelated ImportError. A step takes well under a second.
    with signals.deferred() as interrupted:
        for module in WARM_IMPORTS:
            if interrupted() or handoff.exited_early():
                break
            try:
                importlib.import_module(module)
            except ImportError:
                break  # the node's own import raises it again, reported as a node failure (exit 11)
    if interrupted():
        raise KeyboardInterrupt


def _cli(args: list[str]) -> None:
    from runner.cli.app import main as cli_main

    cli_main(args)
