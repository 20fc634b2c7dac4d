"""`ibrun run`: interlock, gateway, preflight, node, supervision, summary.

Submodules are imported on first use (PEP 562) so that `runner.launch.signals`, which the CLI
installs before any command, does not pull in the docker SDK or nautilus.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "RunOptions": "runner.launch.plan",
    "run_plan": "runner.launch.run",
    "run_spec": "runner.launch.run",
    "RunSummary": "runner.launch.summary",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'runner.launch' has no attribute {name!r}")
