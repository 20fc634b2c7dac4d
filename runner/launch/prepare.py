"""Preparing a run: spec file → :class:`LaunchPlan` (load, validate, interlock, compile, and the
preflight probe of an existing gateway). Nothing is started here.

`ibrun run` prepares in a forked child while the parent imports nautilus (`runner.cli.entry`): the
nautilus import (≈ 1 s) holds the GIL, so a thread would not overlap with validation; a second
process does, and the process that runs the node never imports pydantic or the validator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from runner.errors import LiveNotConfirmed
from runner.launch.plan import ClientProbe, ComponentRef, LaunchPlan, RunOptions, SubscriptionRef
from runner.loading.options import LoadOptions

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.validation.pipeline import LoadedSpec


def prepare_file(path: Path, load_options: LoadOptions, options: RunOptions) -> LaunchPlan:
    from runner.validation.pipeline import load_spec

    return prepare(load_spec(path, load_options), options)


def prepare(loaded: LoadedSpec, options: RunOptions) -> LaunchPlan:
    """The spec's launch plan; an existing gateway is probed already (nothing else is started)."""
    plan = plan_launch(loaded, dry_run=options.dry_run, confirm_live=options.confirm_live, environ=options.environ)
    if options.dry_run or plan.gateway_kind != "existing":
        return plan
    from runner.launch.preflight import preflight

    preflight(plan, plan.node.endpoint.host, plan.node.endpoint.port, options.environ)
    return replace(plan, probed=True)


# --- the plan of a loaded spec ----------------------------------------------------------------


def plan_launch(loaded: LoadedSpec, *, dry_run: bool, confirm_live: bool, environ: Mapping[str, str]) -> LaunchPlan:
    """The plan of a valid spec; raises LiveNotConfirmed for an unconfirmed live run."""
    from runner.compile.compiler import plan_node
    from runner.launch.interlock import check_live
    from runner.monitoring.plan import ops_plan

    spec = loaded.spec
    notes: tuple[str, ...] = ()
    try:
        check_live(spec, confirm_live=confirm_live, environ=environ)
    except LiveNotConfirmed:
        if not dry_run:  # a dry run connects nothing, so it cannot trade
            raise
        notes = ("live trading: a real run needs --confirm-live",)
    return LaunchPlan(
        trader_id=spec.trader_id,
        gateway_kind=spec.gateway.kind,
        spec_path=loaded.path,
        base_dir=loaded.base_dir,
        node=plan_node(spec),
        probes=_probes(spec),
        has_exec=spec.exec_ is not None,
        account_id=spec.exec_.account_id if spec.exec_ is not None else None,
        port_table=_port_table(spec),
        components=_components(spec),
        subscriptions=_subscriptions(spec),
        expected_ids=tuple(spec.instruments.load_ids),
        mic_venues=spec.instruments.convert_exchange_to_mic_venue,
        symbology=spec.instruments.symbology,
        notes=notes,
        loaded=loaded if spec.gateway.kind != "existing" else None,
        ops=ops_plan(spec, loaded.base_dir),
    )


def _probes(spec: Spec) -> tuple[ClientProbe, ...]:
    ids = {"data.client_id": spec.data.client_id}
    if spec.exec_ is not None:
        ids["exec.client_id"] = spec.exec_.client_id
    unique = dict.fromkeys(ids.values())
    return tuple(
        ClientProbe(client_id, " and ".join(name for name, value in ids.items() if value == client_id))
        for client_id in unique
    )


def _components(spec: Spec) -> tuple[ComponentRef, ...]:
    refs = []
    for kind, section, components in (
        ("strategy", "strategies", spec.node.strategies),
        ("actor", "actors", spec.node.actors),
    ):
        for index, component in enumerate(components):
            where = f"node.{section}[{index}]"
            refs.append(ComponentRef(kind, where, component.path, component.resolved_config_path))
    return tuple(refs)


def _subscriptions(spec: Spec) -> tuple[SubscriptionRef, ...]:
    return tuple(
        SubscriptionRef(f"data.subscriptions[{i}]", sub.instrument, sub.quotes, sub.trades, tuple(sub.bars), sub.depth)
        for i, sub in enumerate(spec.data.subscriptions)
    )


def _port_table(spec: Spec) -> str:
    from runner.model.gateway import DEFAULT_PORTS

    rows = [f"  {app:8} {mode:6} {port}" for (app, mode), port in DEFAULT_PORTS.items()]
    gw = spec.gateway
    if gw.kind != "existing":
        return "\n".join(["IB's default API ports:", *rows])
    origin = "gateway.port" if gw.port is not None else f"default for {gw.app}/{gw.trading_mode}"
    return "\n".join([f"(port {gw.resolved_port}: {origin}; IB's default API ports:)", *rows])
