"""`ibrun`'s console script: the signal handlers first, then the CLI (`runner.cli.app.main`).

The handlers go in before click and the commands are imported, so that from the first import on
SIGINT and SIGTERM raise KeyboardInterrupt (`runner.launch.signals`) and end in exit 130.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from runner.errors import ExitCode
from runner.launch import signals


def main(argv: Sequence[str] | None = None) -> None:
    """Run `ibrun ARGS`; return on success, else raise SystemExit with the exit status."""
    signals.install()
    try:
        from runner.cli import app  # after the handlers (see the module's docstring)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)  # nothing has started yet, and nothing to report
    app.main(argv)
