"""The command table: name → where its click command lives (imported only when invoked), and what
`ibrun SPEC` means for a file. Plain data, no click."""

from __future__ import annotations

import os
import re

# command name → "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "validate": "runner.cli.validate:validate_command",
    "config": "runner.cli.config:config_command",
    "schema": "runner.cli.schema:schema_command",
    "render": "runner.cli.render:render_command",
    "diff": "runner.cli.render:diff_command",
    "run": "runner.cli.run:run_command",
    "download": "runner.cli.download:download_command",
    "gateway": "runner.cli.gateway:gateway_group",
    "sim": "runner.cli.sim:sim_command",
    "record": "runner.cli.record:record_command",
    "instruments": "runner.cli.instruments:instruments_group",
    "status": "runner.cli.status:status_command",
    "export": "runner.cli.export:export_group",
}
_DOWNLOAD_SECTION = re.compile(rb"^download\s*:", re.MULTILINE)


def is_spec_file(argument: str) -> bool:
    return argument.endswith((".yaml", ".yml")) or os.path.isfile(argument)


def shorthand_command(path: str) -> str:
    """What `ibrun SPEC` means for this file: `download` for a download spec, else `run`."""
    from runner.loading.files import MAX_SPEC_BYTES, FileRefused, read_bytes  # stdlib only: stays light

    try:
        return "download" if _DOWNLOAD_SECTION.search(read_bytes(path, MAX_SPEC_BYTES)) else "run"
    except FileRefused:
        return "run"  # `run` reports the missing or unreadable file properly
