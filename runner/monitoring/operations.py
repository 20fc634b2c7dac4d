"""The monitoring of one run: fed by the node on its event loop, served and alerted from threads.

The supervisor makes one :class:`Operations` per run and calls `start` (before the node starts),
`running` (at RUNNING) and `stop` (after the node stopped). In between, a task on the node's loop
ticks every ``TICK`` seconds: it polls the IB clients' connection state, takes the IB status codes
the error tap collected, feeds the watchdog the subscriptions' last-data times, acts on its
decisions (re-subscribe, alert) and swaps in a fresh snapshot for the HTTP thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sys
import time
from collections.abc import Mapping
from typing import IO, Any

from runner.address import host_port_text, url_of
from runner.errors import NodeFailed
from runner.monitoring import messages
from runner.monitoring.alerting import Alert, RateLimiter
from runner.monitoring.hooks import ContractHours, IbLink, LoadTimer, ReconciliationTap, ib_links, strategy_watches
from runner.monitoring.plan import OpsPlan
from runner.monitoring.snapshot import ClientState, PositionState, Snapshot
from runner.monitoring.state import LinkWatch, data_times, position_states, tell_connection
from runner.monitoring.watchdog import Watchdog

TICK = 0.25
DISCOVER_EVERY = 1.0
HOURS_EVERY = 5.0
FARMS = {2103: ("market", False), 2104: ("market", True), 2105: ("hmds", False), 2106: ("hmds", True)}
FARMS |= {2157: ("secdef", False), 2158: ("secdef", True)}
DATA_RESTORED = frozenset({1101, 1102})
KINDS = ("quotes", "trades", "bars", "book")
REFUSED_RETRY = 5.0
"""Seconds between connection tries while the gateway refuses (no reconnect_max_delay set)."""


class Operations:
    def __init__(
        self,
        plan: OpsPlan,
        node: Any,
        actor: Any,
        *,
        expected_ids: list[str],
        environ: Mapping[str, str] | None = None,
        stream: IO[str] | None = None,
    ) -> None:
        self.plan, self.node, self.actor = plan, node, actor
        self.expected_ids = expected_ids
        self._environ = environ
        self._stream = stream or sys.stderr
        m = plan.monitoring
        self.watchdog = Watchdog(tolerance=m.tolerance, resubscribe_attempts=m.resubscribe_attempts)
        self.limiter = RateLimiter(plan.alerts.per_subject, plan.alerts.per_minute) if plan.alerts else None
        self.links: list[LinkWatch] = []
        self.errors: dict[int, int] = {}
        self.farms_broken: set[str] = set()
        self._messages: list[tuple[int, int, str]] = []
        self._hours = ContractHours([])
        self._load_timer = LoadTimer()
        self._reconciliation = ReconciliationTap()
        self._notifier: Any = None
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None
        self._phase = "starting"
        self._running_since: float | None = None
        self._startup_seconds: float | None = None
        self._last_discover = self._last_hours = 0.0
        self._positions: tuple[PositionState, ...] = ()
        self.snapshot = Snapshot(trader_id=plan.trader_id, phase="starting", taken_at=time.monotonic())
        self.url: str | None = None

    # --- the supervisor's calls ---------------------------------------------------------------

    def start(self, tap: Any) -> None:
        """Before the node starts: hooks in, alert destinations resolved, the HTTP server up."""
        m = self.plan.monitoring
        self.links = [LinkWatch(link) for link in ib_links(self.node._config)]  # the TradingNodeConfig
        for link_watch in self.links:
            if m.reconnect_max_delay is not None:
                link_watch.link.cap_reconnect_delay(m.reconnect_max_delay)
            link_watch.link.wait_while_refused(m.reconnect_max_delay or REFUSED_RETRY, self._say)
        if tap is not None:
            tap.listeners.append(self._on_ib_message)
        self._hours = ContractHours.of(self.node)
        self._load_timer.attach()
        self._reconciliation.attach(self.node)
        if self.plan.alerts is not None:
            from runner.monitoring.notify import Notifier

            self._notifier = Notifier(self.plan.alerts, self._environ)
        if m.listen is not None:
            self._serve(*m.listen)
            self.url = url_of(self._server.host, self._server.port)
            self._say(f"monitoring on {self.url} (/healthz /readyz /metrics)")
        if m.watchdog:
            for planned in self.plan.watches:
                self.watchdog.add(planned, time.monotonic())
        self._task = asyncio.ensure_future(self._loop())

    def running(self, startup_seconds: float | None) -> None:
        self._phase = "running"
        self._running_since = time.monotonic()
        self._startup_seconds = startup_seconds
        for watch in self.plan.watches:  # the wait for the first data starts now
            self.watchdog.resubscribed(watch.key, self._running_since)

    async def stop(self, reason: str, interrupted: bool) -> None:
        """After the node stopped: the last snapshot, `node_stopped`, the server and senders closed."""
        self._phase = "stopped"
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._take_snapshot(time.monotonic())
        self._alert(messages.node_stopped(self.plan.trader_id, reason, interrupted), time.monotonic())
        if self._notifier is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._notifier.close)
        self.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    # --- the tick -----------------------------------------------------------------------------

    async def _loop(self) -> None:
        failed = False
        while True:
            try:
                self.tick(time.monotonic())
            except Exception as error:  # the monitoring must never take the node down
                if not failed:
                    self._say(f"monitoring error (kept running): {type(error).__name__}: {error}")
                failed = True
            await asyncio.sleep(TICK)

    def tick(self, now: float) -> None:
        self._poll_connections(now)
        self._take_messages(now)
        if self.plan.monitoring.watchdog and self._phase == "running":
            self._feed_watchdog(now)
            self._act(now)
        self._take_order_news(now)
        self._take_snapshot(now)

    def _poll_connections(self, now: float) -> None:
        trader = self.plan.trader_id
        for watch in self.links:
            change = watch.poll(now)
            roles = "+".join(watch.link.roles)
            if change == "lost":
                self._say(f"IB client {watch.link.client_id} ({roles}) lost its connection")
                self._alert(messages.disconnected(trader, watch.link.client_id, roles), now)
            elif change == "restored":
                self._say(f"IB client {watch.link.client_id} ({roles}) reconnected after {watch.last_outage:.1f}s")
                self._alert(messages.reconnected(trader, watch.link.client_id, roles, watch.last_outage), now)
            if watch.login_overdue(now, self.plan.monitoring.login_needed_after):
                self._alert(messages.login_needed(trader, watch.link.client_id, now - (watch.down_since or now)), now)
        tell_connection(self.watchdog, [watch for watch in self.links if "data" in watch.link.roles], now)

    def _on_ib_message(self, code: int, req_id: int, text: str) -> None:
        self._messages.append((code, req_id, text))  # on the loop, inside the IB client's handler

    def _take_messages(self, now: float) -> None:
        taken, self._messages = self._messages, []
        for code, _req_id, _text in taken:
            self.errors[code] = self.errors.get(code, 0) + 1
            if code in FARMS:
                farm, ok = FARMS[code]
                if ok:
                    self.farms_broken.discard(farm)
                    self.watchdog.farm_ok(farm, now)
                else:
                    self.farms_broken.add(farm)
                    self.watchdog.farm_broken(farm, now)
            elif code in DATA_RESTORED:
                self.watchdog.connection_restored(now)  # 1101 (data lost) / 1102: verify every stream

    def _feed_watchdog(self, now: float) -> None:
        if now - self._last_discover >= DISCOVER_EVERY:
            self._last_discover = now
            known = self.watchdog.keys()
            for watch in strategy_watches(self.node, self.plan.monitoring.watch):
                if watch.key not in known:
                    self.watchdog.add(watch, now)
        for key, at in data_times(self.watchdog.watches(), self.actor.stats):
            self.watchdog.data(key, at)
        if self.plan.monitoring.market_hours == "contract" and now - self._last_hours >= HOURS_EVERY:
            self._last_hours = now
            utc = dt.datetime.now(dt.UTC)
            for watch in self.watchdog.watches():
                self.watchdog.market(watch.key, self._hours.is_open(watch.instrument, utc), now)

    def _act(self, now: float) -> None:
        trader = self.plan.trader_id
        for decision in self.watchdog.evaluate(now):
            watch = decision.watch
            if decision.kind == "stale":
                self._say(f"{watch.key}: no data for {decision.silent_for:.1f}s (expected every {watch.expected:g}s)")
                self._alert(messages.stale(trader, decision), now)
            elif decision.kind == "resumed":
                self._say(f"{watch.key}: data resumed after {decision.silent_for:.1f}s")
                self._alert(messages.resumed(trader, decision), now)
            else:
                sent = sum(w.link.resubscribe(watch) for w in self.links if "data" in w.link.roles)
                self._say(f"{watch.key}: re-subscribing ({sent} request{'s' if sent != 1 else ''})")

    def _take_order_news(self, now: float) -> None:
        trader = self.plan.trader_id
        rejections, self.actor.counters.rejections[:] = list(self.actor.counters.rejections), []
        for rejection in rejections:
            self._alert(messages.rejected(trader, rejection), now)
        mismatches, self._reconciliation.mismatches[:] = list(self._reconciliation.mismatches), []
        for what in mismatches:
            self._say(f"reconciliation: {what}")
            self._alert(messages.mismatch(trader, what), now)

    def _take_snapshot(self, now: float) -> None:
        cache = self.node.cache
        loaded = {str(instrument.id) for instrument in cache.instruments()}
        stats = self.actor.stats
        statuses = tuple(self.watchdog.statuses(now))
        if int(now) != int(self.snapshot.taken_at) or not self._positions:
            self._positions = position_states(self.node)
        self.snapshot = Snapshot(
            trader_id=self.plan.trader_id,
            phase=self._phase,
            taken_at=now,
            running_seconds=0.0 if self._running_since is None else now - self._running_since,
            startup_seconds=self._startup_seconds,
            instrument_load_seconds=self._load_timer.seconds,
            clients=tuple(
                ClientState(w.link.client_id, w.link.roles, w.connected, w.reconnects, w.down_for(now))
                for w in self.links
            ),
            instruments_loaded=len(loaded),
            instruments_missing=tuple(i for i in self.expected_ids if i not in loaded)
            if self._phase == "running"
            else (),
            farms_broken=tuple(sorted(self.farms_broken)),
            subscriptions=statuses,
            received={(key, kind): n for key, s in stats.items() for kind in KINDS if (n := getattr(s, kind))},
            order_events=dict(self.actor.counters.order_events),
            positions=self._positions,
            errors=dict(self.errors),
            resubscribes=sum(status.resubscribes for status in statuses),
            alerts_sent=self._notifier.sent if self._notifier else 0,
            alerts_failed=self._notifier.failed if self._notifier else 0,
        )

    def _missing(self, loaded: set[str]) -> tuple[str, ...]:
        if self._phase != "running":
            return ()  # still loading, or stopped
        return tuple(load_id for load_id in self.expected_ids if load_id not in loaded)

    # --- output -------------------------------------------------------------------------------

    def _serve(self, host: str, port: int) -> None:
        from runner.monitoring.server import MonitorServer

        try:
            self._server = MonitorServer(host, port, lambda: self.snapshot)
        except OSError as error:
            where = host_port_text(host, port)
            raise NodeFailed(f"monitoring.listen: cannot serve on {where}: {error.strerror or error}") from None
        self._server.start()

    def _alert(self, alert: Alert, now: float) -> None:
        if self._notifier is None or self.limiter is None:
            return
        admitted = self.limiter.admit(alert, now)
        if admitted is not None:
            self._notifier.send(admitted)

    def _say(self, text: str) -> None:
        print(f"ibrun: {text}", file=self._stream, flush=True)


__all__ = ["IbLink", "Operations"]
