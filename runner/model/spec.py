"""The root of a spec file (`version: 1`)."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.model.alerts import Alerts
from runner.model.base import FROZEN, Constraints, Frozen, section
from runner.model.clients import DataClient, ExecClient
from runner.model.download import Download
from runner.model.gateway import Gateway
from runner.model.instruments import Instruments
from runner.model.monitoring import Monitoring
from runner.model.node import Node

# The attributes whose spec key is no Python identifier (`$schema`) or a builtin's name (`exec`).
KEY_OF_ATTRIBUTE = {"schema_": "$schema", "exec_": "exec"}


def spec_key(attribute: str) -> str:
    return KEY_OF_ATTRIBUTE.get(attribute, attribute)


@section
class Spec(Frozen):
    """An ibrun spec: one gateway, its instruments, data/exec clients and the node around them."""

    __pydantic_config__ = {**FROZEN, "alias_generator": spec_key}

    schema_: str | None = None
    """JSON schema reference for editors; ignored by ibrun."""
    version: Literal[1]
    """Spec language version."""
    extends: str | list[str] | None = None
    """Base spec(s) this file overlays, relative to this file (mappings merge, lists replace)."""
    trader_id: Annotated[str, Constraints(pattern=r"^[^\s-]+(-[^\s-]+)+$")] = "TRADER-001"
    """Nautilus trader id, `NAME-TAG` (e.g. `PAPER-TRADER-001`)."""
    gateway: Gateway = field(default_factory=Gateway)
    instruments: Instruments = field(default_factory=Instruments)
    data: DataClient = field(default_factory=DataClient)
    exec_: ExecClient | None = None
    """Execution client; absent for data-only specs."""
    node: Node = field(default_factory=Node)
    download: Download | None = None
    """Historical download job; makes `ibrun SPEC` run `ibrun download`."""
    monitoring: Monitoring = field(default_factory=Monitoring)
    """Health/readiness/metrics endpoints and the staleness watchdog of `ibrun run`."""
    alerts: Alerts | None = None
    """Notifications (webhook, Slack, Telegram, e-mail, ...) while `ibrun run` runs."""
