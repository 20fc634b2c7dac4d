"""`ibrun run`, in one process: interlock → compile → components → gateway → preflight → node →
supervise → stop → summary.

The spec is loaded and validated first, so a spec error, an unconfirmed live run or a missing
strategy module is reported before anything starts. nautilus (≈ 1 s to import) is imported by
the components and the node, never by the stages before them.

The cyclic garbage collector is paused from the spec's loading until the node's event loop starts,
then the objects alive by then (modules, classes, configs: ≈ 175,000, nearly all kept for the
process' life) are frozen out of its sight: importing nautilus allocates them with hardly any
garbage (≈ 600 unreachable objects, 0.25 MB, that are never reclaimed), and collecting them over
and over costs ≈ 10 % of the import (≈ 50 ms; `bench/RESULTS-run.md`). Frozen, they are not
traversed again by the full collections while the node runs either.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from runner.compile.nodeplan import NodePlan, assemble
from runner.errors import GatewayDied, GatewayModeConflict, IbrunError, Interrupted, LiveNotConfirmed, NodeFailed
from runner.launch import signals
from runner.launch.summary import RunSummary, remember_recovered

if TYPE_CHECKING:
    from runner.launch.interlock import Interlock
    from runner.launch.subscriber import PlannedSubscription
    from runner.loading.options import LoadOptions
    from runner.model import Spec
    from runner.monitoring.plan import OpsPlan
    from runner.validation.pipeline import LoadedSpec

__all__ = ["RunOptions", "execute", "run_spec"]


@dataclass(frozen=True)
class RunOptions:
    duration: float | None = None
    """Stop after this many seconds of RUNNING (None: until a signal or the node stops)."""
    dry_run: bool = False
    confirm_live: bool = False
    status: Literal["auto", "live", "lines", "off"] = "auto"
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def execute(path: Path, load_options: LoadOptions, options: RunOptions) -> RunSummary:
    """Load the spec, `run_spec`, print the summary; an unexpected failure as NodeFailed (a signal
    is the CLI's to report)."""
    from runner.launch.status import print_summary
    from runner.validation.pipeline import load_spec

    gc.disable()  # until the node's loop starts (`_in_loop`), or a failure before it
    try:
        loaded = load_spec(path, load_options)
        for warning in loaded.warnings:  # before anything starts: a risk the spec takes, said once
            print(f"ibrun: {warning}", file=sys.stderr, flush=True)
        summary = run_spec(loaded, options)
    except IbrunError:
        raise
    except Exception as error:
        raise NodeFailed(f"unexpected {type(error).__name__}: {error} (`ibrun --traceback …` shows where)") from error
    finally:
        gc.enable()
    print_summary(summary)
    if summary.interrupted:
        # The signal the supervisor recorded (it may have come while a --duration stop was underway).
        raise Interrupted(f"stopped by {signals.first()}; node stopped cleanly")
    return summary


def run_spec(loaded: LoadedSpec, options: RunOptions) -> RunSummary:
    """Run (or, with ``dry_run``, only build) the spec's TradingNode."""
    from runner.compile.compiler import plan_node, resolve_secrets
    from runner.compile.secrets import masked, read_secrets
    from runner.launch.databases import check_databases
    from runner.launch.gateway import started_gateway
    from runner.launch.interlock import Consent, Interlock
    from runner.launch.preflight import preflight
    from runner.monitoring.plan import ops_plan
    from runner.validation.components import check_components, extend_sys_path
    from runner.validation.nautilus_checks import check_node_config

    signals.check()  # at each stage boundary: a signal whose KeyboardInterrupt got lost stops here
    spec = loaded.spec
    interlock = Interlock(spec, "run", Consent(options.confirm_live, options.environ))
    notes = _interlock(interlock, options)
    # A dry run connects no database, so it needs no password either.
    read = masked if options.dry_run else read_secrets(loaded.base_dir, options.environ)
    plan = resolve_secrets(plan_node(spec), read)
    extend_sys_path(loaded.base_dir)
    check_components(spec)
    check_node_config(loaded)  # strategy/actor configs and node.nautilus, by nautilus' decoder
    planned = _subscriptions(loaded)
    if options.dry_run:
        return _dry_run(spec, plan, planned, notes)
    signals.check()
    check_databases(spec.node, read)
    signals.check()
    with started_gateway(loaded, interlock) as gateway:
        endpoint = gateway.endpoint
        preflight(spec, endpoint.host, endpoint.port, options.environ, interlock)
        compiled = assemble(plan, endpoint)
        summary = RunSummary(
            trader_id=spec.trader_id,
            gateway=f"{spec.gateway.kind} gateway {endpoint}",
            has_exec=compiled.exec_client is not None,
        )
        ops = ops_plan(spec, loaded.base_dir)
        return _run_node(spec, compiled.node, planned, summary, options, ops, gateway.died)


def _interlock(interlock: Interlock, options: RunOptions) -> tuple[str, ...]:
    """Raise LiveNotConfirmed for an unconfirmed live run; a dry run (it connects nothing) gets a note."""
    try:
        interlock.before_start()
    except LiveNotConfirmed as error:
        if not options.dry_run or isinstance(error, GatewayModeConflict):
            raise
        return ("live trading: a real run needs --confirm-live",)
    return ()


def _subscriptions(loaded: LoadedSpec) -> list[PlannedSubscription]:
    from runner.launch.subscriber import plan_subscriptions

    return plan_subscriptions(loaded.spec.data.subscriptions, loaded.path)


def display_mode(options: RunOptions) -> str:
    if options.status != "auto":
        return options.status
    return "live" if sys.stdout.isatty() else "lines"


def _run_node(
    spec: Spec,
    config: Any,
    planned: list[PlannedSubscription],
    summary: RunSummary,
    options: RunOptions,
    ops: OpsPlan | None,
    gateway_died: Callable[[], GatewayDied | None],
) -> RunSummary:
    from runner.launch.console import relay_console
    from runner.launch.ib_errors import ErrorTap
    from runner.launch.node import build_node, colours_for, component_names, quiet_console
    from runner.launch.status import StatusDisplay
    from runner.launch.supervise import Supervisor

    relay_console()  # before nautilus' logger starts: a closed terminal must not abort the process
    mode = display_mode(options)
    if mode == "live":
        config = quiet_console(config)
    config = colours_for(config, sys.stdout.isatty() and sys.stderr.isatty())
    display = StatusDisplay(mode)
    holder: dict[str, Any] = {}

    async def main() -> RunSummary:
        loop = asyncio.get_running_loop()
        node, actor = build_node(config, loop, planned)
        holder["node"] = node
        journal = await _guard_orders(node, spec, config)
        tap = ErrorTap()
        tap.attach_all()
        summary.strategies, summary.actors = component_names(node)
        remember_recovered(summary, node)  # what the cache database gave it is not this run's
        supervisor = Supervisor(
            node,
            actor,
            summary,
            duration=options.duration,
            expected_ids=list(spec.instruments.load_ids),
            mic_venues=spec.instruments.convert_exchange_to_mic_venue,
            display=display,
            tap=tap,
            symbology=spec.instruments.symbology,
            ops=ops,
            gateway_died=gateway_died,
        )
        try:
            return await supervisor.run()  # installs its loop signal handlers first
        finally:
            if journal is not None:
                await journal.close()

    return _in_loop(main, holder)


async def _guard_orders(node: Any, spec: Spec, config: Any) -> Any:
    """Before the node starts: settle what a killed run left, then guard every order it sends
    (recorded in Redis first, innermost; `exec.while_disconnected` around that). The journal."""
    from runner.launch.journal import start_journal
    from runner.launch.unconfirmed import mark_unconfirmed_submitted

    journal = await start_journal(node, config)  # restores a killed run's unsaved orders
    mark_unconfirmed_submitted(node)  # they and any left INITIALIZED may be at IB
    if spec.exec_ is not None:
        from runner.launch.order_gate import gate_orders

        gate_orders(node, spec.exec_.while_disconnected, spec.exec_.hold_timeout)
    return journal


def _in_loop(main: Callable[[], Coroutine[Any, Any, RunSummary]], holder: dict[str, Any]) -> RunSummary:
    saved = signals.current()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(signals.quiet_cancellations)
    if not gc.isenabled():  # `execute` paused it: the start-up is done (see the module's docstring)
        gc.freeze()
        gc.enable()
    try:
        signals.check()
        return loop.run_until_complete(main())
    finally:
        signals.stopping()
        node = holder.get("node")
        try:
            if node is not None:
                node.dispose()  # closes the loop
        finally:
            if not loop.is_closed():
                loop.close()
            asyncio.set_event_loop(None)
            signals.restore(saved)  # loop.close() reset SIGINT/SIGTERM to Python's defaults


def _dry_run(spec: Spec, plan: NodePlan, planned: list[PlannedSubscription], notes: tuple[str, ...]) -> RunSummary:
    from runner.launch.databases import databases_of, without_databases
    from runner.launch.node import build_node, cancel_new_tasks, component_names

    compiled = assemble(plan)
    where = str(plan.endpoint) if spec.gateway.kind == "existing" else "(started at run time)"
    summary = RunSummary(
        trader_id=spec.trader_id,
        gateway=f"{spec.gateway.kind} gateway {where}",
        dry_run=True,
        stop_reason="dry run",
        has_exec=compiled.exec_client is not None,
    )
    summary.notes.extend(notes)
    summary.notes.extend(f"{use.owner}.database: not connected in a dry run" for use in databases_of(spec.node))
    holder: dict[str, Any] = {}

    async def main() -> RunSummary:
        loop = asyncio.get_running_loop()
        before = set(asyncio.all_tasks(loop))
        node, _actor = build_node(without_databases(compiled.node), loop, planned)
        cancel_new_tasks(before, loop)  # before any await: no client ever connects
        holder["node"] = node
        summary.strategies, summary.actors = component_names(node)
        await asyncio.sleep(0)
        return summary

    return _in_loop(main, holder)
