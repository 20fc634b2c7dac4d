"""`run_plan`: components → gateway → preflight → assemble → node → supervise → stop → summary."""

from __future__ import annotations

import asyncio
import sys
import traceback
from typing import TYPE_CHECKING, Any

from runner.compile.nodeplan import assemble
from runner.errors import IbrunError, Interrupted, NodeFailed
from runner.launch import signals
from runner.launch.plan import LaunchPlan, RunOptions
from runner.launch.summary import RunSummary

if TYPE_CHECKING:
    from runner.validation.pipeline import LoadedSpec

__all__ = ["RunOptions", "execute", "run_plan", "run_spec"]

# nautilus (seconds to import) is imported lazily, inside the functions that need it; `ibrun run`
# imports it in advance while a child process prepares the plan (runner.cli.entry).
# (Not in a warm-up thread: concurrent imports of nautilus' Cython modules fail.)


def execute(plan: LaunchPlan, options: RunOptions, show_traceback: bool = False) -> RunSummary:
    """`run_plan`, its failures as IbrunErrors, then the summary; raises Interrupted after a signal."""
    from runner.launch.status import print_summary

    signals_before = len(signals.received)
    try:
        summary = run_plan(plan, options)
    except KeyboardInterrupt:
        raise signals.interrupted_before_the_node() from None
    except IbrunError as error:
        if show_traceback:
            traceback.print_exception(error)
        raise
    except Exception as error:
        if len(signals.received) > signals_before:  # e.g. an import broken off by Ctrl-C
            raise Interrupted(f"interrupted by {signals.last()}; nothing left running") from error
        if show_traceback:
            raise
        raise NodeFailed(f"unexpected {type(error).__name__}: {error} (rerun with --traceback for details)") from error
    print_summary(summary)
    if summary.interrupted:
        raise Interrupted(f"stopped by {summary.stop_reason.removeprefix('signal ')}; node stopped cleanly")
    return summary


def run_spec(loaded: LoadedSpec, options: RunOptions) -> RunSummary:
    """Prepare and run a loaded spec in this process."""
    from runner.launch.prepare import prepare

    return run_plan(prepare(loaded, options), options)


def run_plan(plan: LaunchPlan, options: RunOptions) -> RunSummary:
    """Run (or, with ``dry_run``, only build) the plan's TradingNode."""
    from runner.launch.gateway import plan_endpoint
    from runner.launch.imports import check_components, extend_sys_path

    extend_sys_path(plan.base_dir)
    check_components(plan.components)
    if options.dry_run:
        return _dry_run(plan, _subscriptions(plan))
    with plan_endpoint(plan) as endpoint:
        if not plan.probed:
            from runner.launch.preflight import preflight

            preflight(plan, endpoint.host, endpoint.port, options.environ)
        planned = _subscriptions(plan)
        compiled = assemble(plan.node, endpoint)
        summary = RunSummary(
            trader_id=plan.trader_id,
            gateway=f"{plan.gateway_kind} gateway {endpoint}",
            has_exec=compiled.exec_client is not None,
        )
        return _run_node(plan, compiled.node, planned, summary, options)


def _subscriptions(plan: LaunchPlan) -> list[Any]:
    from runner.launch.subscriber import plan_subscriptions

    return plan_subscriptions(plan.subscriptions, plan.spec_path)


def display_mode(options: RunOptions) -> str:
    if options.status != "auto":
        return options.status
    return "live" if sys.stdout.isatty() else "lines"


def _run_node(
    plan: LaunchPlan,
    config: Any,
    planned: list[Any],
    summary: RunSummary,
    options: RunOptions,
) -> RunSummary:
    from runner.launch.ib_errors import ErrorTap
    from runner.launch.node import build_node, colours_for, component_names, quiet_console
    from runner.launch.status import StatusDisplay
    from runner.launch.supervise import Supervisor

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
        tap = ErrorTap()
        tap.attach_all()
        summary.strategies, summary.actors = component_names(node)
        supervisor = Supervisor(
            node,
            actor,
            summary,
            duration=options.duration,
            expected_ids=list(plan.expected_ids),
            mic_venues=plan.mic_venues,
            display=display,
            tap=tap,
            symbology=plan.symbology,
            ops=plan.ops,
        )
        return await supervisor.run()  # installs its loop signal handlers first

    return _in_loop(main, holder)


def _in_loop(main: Any, holder: dict[str, Any]) -> Any:
    saved = signals.current()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_quiet_cancellations)
    try:
        return loop.run_until_complete(main())
    finally:
        node = holder.get("node")
        try:
            if node is not None:
                node.dispose()  # closes the loop
        finally:
            if not loop.is_closed():
                loop.close()
            asyncio.set_event_loop(None)
            signals.restore(saved)  # loop.close() reset SIGINT/SIGTERM to Python's defaults


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # The IB client's task callbacks call task.exception() on the tasks ibrun cancels while
    # shutting down, which raises CancelledError inside the callback: expected, not an error.
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


def _dry_run(plan: LaunchPlan, planned: list[Any]) -> RunSummary:
    from runner.launch.node import build_node, cancel_new_tasks, component_names

    compiled = assemble(plan.node)
    where = str(plan.node.endpoint) if plan.gateway_kind == "existing" else "(started at run time)"
    summary = RunSummary(
        trader_id=plan.trader_id,
        gateway=f"{plan.gateway_kind} gateway {where}",
        dry_run=True,
        stop_reason="dry run",
        has_exec=compiled.exec_client is not None,
    )
    summary.notes.extend(plan.notes)
    holder: dict[str, Any] = {}

    async def main() -> RunSummary:
        loop = asyncio.get_running_loop()
        before = set(asyncio.all_tasks(loop))
        node, _actor = build_node(compiled.node, loop, planned)
        cancel_new_tasks(before, loop)  # before any await: no client ever connects
        holder["node"] = node
        summary.strategies, summary.actors = component_names(node)
        await asyncio.sleep(0)
        return summary

    return _in_loop(main, holder)
