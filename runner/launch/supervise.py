"""Run a built node until SIGINT/SIGTERM/SIGHUP, `--duration`, or the node stopping by itself."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runner.errors import GatewayDied, IbrunError, InstrumentNotFound, Interrupted, NodeFailed
from runner.launch import signals
from runner.launch.ib_errors import ErrorTap, missing_load_ids
from runner.launch.status import StatusDisplay
from runner.launch.summary import RunSummary, collect

if TYPE_CHECKING:
    from runner.monitoring.operations import Operations
    from runner.monitoring.plan import OpsPlan

POLL = 0.2
STATUS_EVERY = 0.5
INTERRUPT_STOP_BUDGET = 6.0
NORMAL_STOP_BUDGET = 30.0


class Supervisor:
    def __init__(
        self,
        node: Any,
        actor: Any,
        summary: RunSummary,
        *,
        duration: float | None,
        expected_ids: list[str],
        mic_venues: bool,
        display: StatusDisplay,
        tap: ErrorTap | None = None,
        symbology: str = "simplified",
        ops: OpsPlan | None = None,
        gateway_died: Callable[[], GatewayDied | None] | None = None,
    ) -> None:
        self.node, self.actor, self.summary = node, actor, summary
        self.duration, self.expected_ids, self.mic_venues = duration, expected_ids, mic_venues
        self.display = display
        self.tap, self.symbology = tap, symbology
        self.ops_plan = ops
        self.ops: Operations | None = None
        self.gateway_died = gateway_died or (lambda: None)
        """The error to stop with once the gateway ibrun started is gone (a killed simulator)."""
        self._stop = asyncio.Event()
        self.signal_name: str | None = None

    # --- signals ------------------------------------------------------------------------------

    def install_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """Replace nautilus' loop handlers (which stop the node but not ibrun) with ours; SIGHUP (a
        closed terminal) stops the run in the same orderly way (`runner.launch.signals`)."""
        for sig in signals.handled():
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        signals.record(sig)  # once the loop is gone, later signals must not break off the clean-up
        if self.signal_name is None:
            self.signal_name = sig.name
        self._stop.set()

    # --- phases -------------------------------------------------------------------------------

    async def run(self) -> RunSummary:
        loop = asyncio.get_running_loop()
        self.install_signals(loop)
        self.ops = self._operations()
        try:
            return await self._run()
        except BaseException:
            if self.ops is not None:
                self.ops.close()
            raise

    def _operations(self) -> Operations | None:
        """Health/metrics server, watchdog and alerts of the run (runner.monitoring)."""
        if self.ops_plan is None:
            return None
        # prometheus-client, apprise and http.server are imported only here, on the run path.
        from runner.monitoring.operations import Operations

        ops = Operations(self.ops_plan, self.node, self.actor, expected_ids=self.expected_ids)
        ops.start(self.tap)
        return ops

    async def _run(self) -> RunSummary:
        started = time.monotonic()
        await self._start()
        self.summary.startup_seconds = time.monotonic() - started
        missing = self._missing_instruments() or self._unloaded_subscriptions()
        if missing is not None:
            await self._shutdown(INTERRUPT_STOP_BUDGET)
            raise missing
        if self.ops is not None:
            self.ops.running(self.summary.startup_seconds)
        self.display.start()
        try:
            running_since = time.monotonic()
            reason = await self._watch(running_since)
        except BaseException as error:
            self.display.stop()
            await self._shutdown(INTERRUPT_STOP_BUDGET)
            if isinstance(error, GatewayDied) and self.ops is not None:
                await self.ops.stop(str(error), interrupted=False)  # the node_stopped alert says why
            raise
        self.display.stop()
        self.summary.running_seconds = time.monotonic() - running_since
        await self._shutdown(INTERRUPT_STOP_BUDGET if self.signal_name else NORMAL_STOP_BUDGET)
        self.summary.stop_reason = reason
        self.summary.interrupted = self.signal_name is not None
        if self.ops is not None:
            await self.ops.stop(reason, self.summary.interrupted)
        return collect(self.summary, self.node, self.actor.stats)

    async def _start(self) -> None:
        kernel = self.node.kernel
        start = asyncio.ensure_future(kernel.start_async())
        while not start.done():
            failure = self._early_failure()
            if failure is not None:
                start.cancel()
                await asyncio.wait({start}, timeout=2.0)
                await self._shutdown(INTERRUPT_STOP_BUDGET)
                raise failure
            await asyncio.wait({start}, timeout=POLL / 2)
        error = start.exception()
        if error is not None or not self.node.trader.is_running:
            failure = self._start_failure(error)
            await self._shutdown(INTERRUPT_STOP_BUDGET)
            raise failure from error

    def _early_failure(self) -> IbrunError | None:
        """A signal, an IB error 200 for a load_id or a failed instrument load, while the node is still starting."""
        if self._stop.is_set():
            return Interrupted(f"interrupted by {self.signal_name} while connecting; stopped cleanly")
        if (died := self.gateway_died()) is not None:
            return died
        from runner.instruments.provider import load_failure  # retries through IB's restart window ran out

        if (failure := load_failure()) is not None:
            return failure
        if self.tap is not None and self.tap.not_found:
            missing = missing_load_ids(self.tap.not_found, self.expected_ids, self.symbology)
            if missing:
                return _not_found(missing, [])
        return None

    def _start_failure(self, error: BaseException | None) -> IbrunError:
        if self.signal_name:
            return Interrupted(f"interrupted by {self.signal_name} while starting; stopped cleanly")
        if error is not None:
            failed = [
                f"{component.id}"
                for component in [*self.node.trader.strategies(), *self.node.trader.actors()]
                if not component.is_running
            ]
            who = f" in {', '.join(failed)}.on_start" if failed else ""
            return NodeFailed(f"the node failed while starting{who}: {type(error).__name__}: {error}")
        kernel = self.node.kernel
        parts = []
        if not kernel.data_engine.check_connected():
            parts.append("the data client did not connect")
        if not kernel.exec_engine.check_connected():
            parts.append("the exec client did not connect")
        detail = "; ".join(parts) or "reconciliation or portfolio initialization timed out"
        return NodeFailed(f"the node did not reach RUNNING: {detail} (see the log above)")

    def _missing_instruments(self) -> InstrumentNotFound | None:
        from nautilus_trader.model.identifiers import InstrumentId

        cache = self.node.cache
        loaded = {str(instrument.id) for instrument in cache.instruments()}
        symbols = {instrument.id.symbol.value for instrument in cache.instruments()}
        missing = []
        for load_id in self.expected_ids:
            found = InstrumentId.from_str(load_id).symbol.value in symbols if self.mic_venues else load_id in loaded
            if not found:
                missing.append(load_id)
        return _not_found(missing, sorted(loaded)) if missing else None

    def _unloaded_subscriptions(self) -> InstrumentNotFound | None:
        """A `data.subscriptions` instrument the node did not load (e.g. not among a chain's)."""
        cache = self.node.cache
        missing = [str(sub.instrument_id) for sub in self.actor.planned if cache.instrument(sub.instrument_id) is None]
        if not missing:
            return None
        loaded = sorted(str(instrument.id) for instrument in cache.instruments())
        return InstrumentNotFound(
            f"data.subscriptions: {', '.join(missing)} not among the loaded instruments"
            + (f" ({', '.join(loaded[:20])}{', ...' if len(loaded) > 20 else ''})" if loaded else "")
            + "; load it with instruments.load_ids or a contract"
        )

    async def _watch(self, since: float) -> str:
        kernel = self.node.kernel
        last_status = 0.0
        while True:
            if self._stop.is_set():
                return f"signal {self.signal_name}"
            if (died := self.gateway_died()) is not None:
                raise died
            elapsed = time.monotonic() - since
            if self.duration is not None and elapsed >= self.duration:
                return f"--duration {self.duration:g}s elapsed"
            if not kernel.is_running() or getattr(kernel, "_is_stopping", False):
                why = getattr(self.actor, "shutdown_reason", None)
                return f"shutdown requested by {why}" if why else "the node stopped by itself"
            if time.monotonic() - last_status >= STATUS_EVERY:
                last_status = time.monotonic()
                self.summary.running_seconds = elapsed
                self.display.update(collect(self.summary, self.node, self.actor.stats))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), POLL)

    async def _shutdown(self, budget: float) -> None:
        """Stop the node (or wait for the stop it started itself), never longer than ``budget``."""
        kernel = self.node.kernel
        deadline = time.monotonic() + budget
        if kernel.is_running() and not getattr(kernel, "_is_stopping", False):
            try:
                await asyncio.wait_for(kernel.stop_async(), budget)
            except TimeoutError:
                kernel._is_running = False  # let dispose() proceed instead of waiting again
            except Exception as error:  # a strategy raising in on_stop must not hang the exit
                kernel.logger.error(f"Error while stopping: {type(error).__name__}: {error}")
        while kernel.is_running() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await _drain_tasks(max(0.5, min(2.0, deadline - time.monotonic())))


def _not_found(missing: list[str], loaded: list[str]) -> InstrumentNotFound:
    return InstrumentNotFound(
        "IB found no security definition (error 200) for instruments.load_ids: "
        + ", ".join(missing)
        + (f" (loaded: {', '.join(loaded)})" if loaded else "")
        + "; check the symbol, venue and symbology (ibrun validate lists the accepted forms)"
    )


async def _drain_tasks(timeout: float) -> None:
    """Cancel what nautilus/the IB client left scheduled, so closing the loop is quiet."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout)
