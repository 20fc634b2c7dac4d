"""The launch stage's input: what `ibrun run` needs from a spec, as plain picklable values.

The plan is made where the spec was loaded (`runner.launch.prepare`: in `ibrun run`, a forked
child), so the process that runs the node imports neither pydantic nor the loader and validator.
The one exception is starting a docker or simulated gateway, which needs the spec itself: the
plan carries it (``loaded``) only then.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from runner.compile.nodeplan import NodePlan
from runner.monitoring.plan import OpsPlan

if TYPE_CHECKING:
    from runner.validation.pipeline import LoadedSpec


@dataclass(frozen=True)
class ComponentRef:
    """A strategy or actor to import before the node is built (an ImportError is exit 8)."""

    kind: str
    where: str
    path: str
    config_path: str


@dataclass(frozen=True)
class SubscriptionRef:
    """One `data.subscriptions` entry, parsed into nautilus ids by the launch stage."""

    where: str
    instrument: str
    quotes: bool
    trades: bool
    bars: tuple[str, ...]
    depth: int


@dataclass(frozen=True)
class ClientProbe:
    client_id: int
    fields: str
    """The spec fields naming this id, e.g. `data.client_id and exec.client_id`."""


@dataclass(frozen=True)
class LaunchPlan:
    trader_id: str
    gateway_kind: str
    spec_path: Path
    base_dir: Path
    node: NodePlan
    probes: tuple[ClientProbe, ...]
    has_exec: bool
    account_id: str | None
    """`exec.account_id` as the spec sets it (the preflight falls back to TWS_ACCOUNT)."""
    port_table: str
    """IB's default API ports, appended to a "gateway unreachable" error."""
    components: tuple[ComponentRef, ...]
    subscriptions: tuple[SubscriptionRef, ...]
    expected_ids: tuple[str, ...]
    mic_venues: bool
    symbology: str
    notes: tuple[str, ...] = ()
    loaded: LoadedSpec | None = None
    """The spec, only when ibrun starts the gateway (docker/simulated)."""
    probed: bool = False
    """The preflight already ran (an existing gateway is probed while nautilus imports)."""
    ops: OpsPlan | None = None
    """`monitoring:` and `alerts:` (None: a dry run)."""


@dataclass(frozen=True)
class RunOptions:
    duration: float | None = None
    """Stop after this many seconds of RUNNING (None: until a signal or the node stops)."""
    dry_run: bool = False
    confirm_live: bool = False
    status: Literal["auto", "live", "lines", "off"] = "auto"
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
