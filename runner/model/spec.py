"""The root of a spec file (`version: 1`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runner.model.base import Frozen
from runner.model.clients import DataClient, ExecClient
from runner.model.download import Download
from runner.model.gateway import Gateway
from runner.model.instruments import Instruments
from runner.model.node import Node


class Spec(Frozen):
    """An ibrun spec: one gateway, its instruments, data/exec clients and the node around them."""

    schema_: str | None = Field(None, alias="$schema")
    """JSON schema reference for editors; ignored by ibrun."""
    version: Literal[1]
    """Spec language version."""
    extends: str | list[str] | None = None
    """Base spec(s) this file overlays, relative to this file (mappings merge, lists replace)."""
    trader_id: str = Field("TRADER-001", pattern=r"^[^\s-]+(-[^\s-]+)+$")
    """Nautilus trader id, `NAME-TAG` (e.g. `PAPER-TRADER-001`)."""
    gateway: Gateway = Field(default_factory=Gateway)
    instruments: Instruments = Field(default_factory=Instruments)
    data: DataClient = Field(default_factory=DataClient)
    exec_: ExecClient | None = Field(None, alias="exec")
    """Execution client; absent for data-only specs."""
    node: Node = Field(default_factory=Node)
    download: Download | None = None
    """Historical download job; makes `ibrun SPEC` run `ibrun download`."""
