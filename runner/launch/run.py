"""`run_spec`: interlock → gateway → preflight → compile → node → supervise → stop → summary."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runner.errors import LiveNotConfirmed
from runner.launch import signals
from runner.launch.gateway import gateway_endpoint
from runner.launch.imports import check_components, extend_sys_path
from runner.launch.interlock import check_live
from runner.launch.preflight import preflight
from runner.launch.summary import RunSummary
from runner.pipeline import LoadedSpec

# nautilus (seconds to import) is imported lazily, inside the functions that need it: the
# interlock, a missing module or an unreachable gateway are reported before paying for it.
# (Not in a warm-up thread: concurrent imports of nautilus' Cython modules fail.)


@dataclass(frozen=True)
class RunOptions:
    duration: float | None = None
    """Stop after this many seconds of RUNNING (None: until a signal or the node stops)."""
    dry_run: bool = False
    confirm_live: bool = False
    status: Literal["auto", "live", "lines", "off"] = "auto"
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def run_spec(loaded: LoadedSpec, options: RunOptions) -> RunSummary:
    """Run (or, with ``dry_run``, only build) the spec's TradingNode; see the module docstring."""
    spec = loaded.spec
    if not options.dry_run:  # a dry run connects nothing, so it cannot trade
        check_live(spec, confirm_live=options.confirm_live, environ=options.environ)
    extend_sys_path(loaded.base_dir)
    check_components(spec)
    if options.dry_run:
        return _dry_run(loaded, _plan(loaded), options)
    with gateway_endpoint(spec, loaded.base_dir, loaded.path) as endpoint:
        preflight(spec, endpoint.host, endpoint.port, options.environ)
        planned = _plan(loaded)
        from runner.compiler import compile_spec

        compiled = compile_spec(spec, endpoint)
        summary = RunSummary(
            trader_id=spec.trader_id,
            gateway=f"{spec.gateway.kind} gateway {endpoint}",
            has_exec=compiled.exec_client is not None,
        )
        return _run_node(loaded, compiled.node, planned, summary, options)


def _plan(loaded: LoadedSpec) -> list[Any]:
    from runner.launch.subscriber import plan_subscriptions

    return plan_subscriptions(loaded.spec.data.subscriptions, loaded.path)


def display_mode(options: RunOptions) -> str:
    if options.status != "auto":
        return options.status
    return "live" if sys.stdout.isatty() else "lines"


def _run_node(
    loaded: LoadedSpec,
    config: Any,
    planned: list[Any],
    summary: RunSummary,
    options: RunOptions,
) -> RunSummary:
    from runner.launch.ib_errors import ErrorTap
    from runner.launch.node import build_node, component_names, quiet_console
    from runner.launch.status import StatusDisplay
    from runner.launch.supervise import Supervisor

    mode = display_mode(options)
    if mode == "live":
        config = quiet_console(config)
    spec = loaded.spec
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
            expected_ids=list(spec.instruments.load_ids),
            mic_venues=spec.instruments.convert_exchange_to_mic_venue,
            display=display,
            tap=tap,
            symbology=spec.instruments.symbology,
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


def _dry_run(loaded: LoadedSpec, planned: list[Any], options: RunOptions) -> RunSummary:
    from runner.compiler import compile_spec, default_endpoint
    from runner.launch.node import build_node, cancel_new_tasks, component_names

    spec = loaded.spec
    compiled = compile_spec(spec, None)
    where = str(default_endpoint(spec.gateway)) if spec.gateway.kind == "existing" else "(started at run time)"
    summary = RunSummary(
        trader_id=spec.trader_id,
        gateway=f"{spec.gateway.kind} gateway {where}",
        dry_run=True,
        stop_reason="dry run",
        has_exec=compiled.exec_client is not None,
    )
    try:
        check_live(spec, confirm_live=options.confirm_live, environ=options.environ)
    except LiveNotConfirmed:
        summary.notes.append("live trading: a real run needs --confirm-live")
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
