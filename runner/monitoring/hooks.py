"""Where the monitoring touches nautilus: the node's IB clients, its subscriptions, contract hours,
instrument loading and reconciliation. Everything private to nautilus' IB adapter that ibrun
relies on is read here, in one place (checked against nautilus_trader 1.231).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.ib.hours import BadTradingHours, TradingHours, parse_trading_hours
from runner.monitoring.watchdog import Watch

QUOTE_SUBSCRIPTIONS = ("market_data", "BidAsk", "IndexMarketData")
"""Names nautilus' IB client gives a quote stream: reqMktData, tick-by-tick, index prices."""


@dataclass
class IbLink:
    """One IB API client of the node (one connection: the data client's, the exec client's or both)."""

    client: Any
    roles: tuple[str, ...]
    _pending: set[asyncio.Future[Any]] = field(default_factory=set)

    @property
    def client_id(self) -> int:
        return int(self.client._client_id)

    @property
    def connected(self) -> bool:
        return bool(self.client._is_ib_connected.is_set() and self.client._eclient.isConnected())

    def cap_reconnect_delay(self, seconds: float) -> None:
        """nautilus backs off 5, 10, 20, … up to 300 s between reconnects: a gateway back after its
        restart window would wait for the next attempt. A cap keeps the node within seconds of it
        (a refused connect costs nothing; the client id is the same, so no 326 storm)."""
        cap = max(1, round(seconds))
        self.client._reconnect_delay_max = cap
        self.client._reconnect_delay = min(self.client._reconnect_delay, cap)
        self.client._reconnect_jitter_secs = min(self.client._reconnect_jitter_secs, 1)

    def wait_while_refused(self, delay: float, say: Callable[[str], None]) -> None:
        """While the gateway refuses connections (its daily restart, a login), nautilus logs a
        traceback for every reconnect attempt. Before a reconnect, wait instead until the API port
        accepts a TCP connection again, trying every ``delay`` seconds, with one line when the
        refusals begin. (The first connect is left to nautilus: ibrun's preflight checked it.)"""
        from nautilus_trader.adapters.interactive_brokers.client.client import _SHUTDOWN_STATES

        client = self.client
        original = client._connect

        def stopping() -> bool:
            return bool(client._is_shutting_down or client.state in _SHUTDOWN_STATES)

        async def connect() -> None:
            said = False
            while client._had_ib_connection and not stopping() and not await _accepts(client._host, client._port):
                if not said:
                    say(f"IB client {self.client_id}: the gateway refuses connections; trying every {delay:g}s")
                    said = True
                await asyncio.sleep(delay)
            await original()

        client._connect = connect

    def resubscribe(self, watch: Watch) -> int:
        """Cancel and re-send the IB requests behind ``watch`` (as nautilus does after IB's
        10189/366); returns how many requests were re-sent."""
        names = subscription_names(watch)
        count = 0
        for subscription in list(self.client._subscriptions.get_all()):
            if subscription.name not in names:
                continue
            subscription.cancel()
            result = subscription.handle()
            if inspect.isawaitable(result):
                self._pending.add(task := asyncio.ensure_future(result))
                task.add_done_callback(self._pending.discard)
            count += 1
        return count


async def _accepts(host: str, port: int) -> bool:
    """Whether something accepts a TCP connection there (closed again at once, no API handshake)."""
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def subscription_names(watch: Watch) -> set[Any]:
    instrument = watch.instrument
    if watch.kind == "quotes":
        return {(instrument, name) for name in QUOTE_SUBSCRIPTIONS}
    if watch.kind == "trades":
        return {(instrument, "AllLast")}
    if watch.kind == "book":
        return {(instrument, "order_book")}
    return {f"{instrument}-{watch.detail}-EXTERNAL", f"{instrument}-{watch.detail}-INTERNAL"}


def ib_links(config: Any) -> list[IbLink]:
    """The IB clients of this node (nautilus caches them per host, port and client id)."""
    from nautilus_trader.adapters.interactive_brokers.factories import IB_CLIENTS

    roles: dict[tuple[Any, Any, Any], list[str]] = {}
    for role, clients in (("data", config.data_clients), ("exec", config.exec_clients)):
        for client_config in (clients or {}).values():
            key = (client_config.ibg_host, client_config.ibg_port, client_config.ibg_client_id)
            roles.setdefault(key, []).append(role)
    return [IbLink(IB_CLIENTS[key], tuple(names)) for key, names in roles.items() if key in IB_CLIENTS]


def strategy_watches(node: Any, watch_of: Callable[[str, Any, str], Watch]) -> list[Watch]:
    """Every data subscription the data engine holds (a strategy's as well as the spec's)."""
    engine = node.kernel.data_engine
    watches = [watch_of(str(i), "quotes", "") for i in engine.subscribed_quote_ticks()]
    watches += [watch_of(str(i), "trades", "") for i in engine.subscribed_trade_ticks()]
    watches += [watch_of(str(i), "book", "") for i in engine.subscribed_order_book_deltas()]
    for bar_type in engine.subscribed_bars():
        if bar_type.is_externally_aggregated():
            watches.append(watch_of(str(bar_type.instrument_id), "bars", str(bar_type.spec)))
    return watches


@dataclass
class ContractHours:
    """Trading hours per instrument from the IB instrument providers' contract details."""

    providers: list[Any]
    _cache: dict[str, TradingHours] = field(default_factory=dict)

    @classmethod
    def of(cls, node: Any) -> ContractHours:
        from nautilus_trader.adapters.interactive_brokers.factories import IB_INSTRUMENT_PROVIDERS

        del node  # providers are cached per client by nautilus, like the clients
        return cls(list(IB_INSTRUMENT_PROVIDERS.values()))

    def is_open(self, instrument: str, at: dt.datetime) -> bool | None:
        hours = self._cache.get(instrument) or self._hours(instrument)
        if hours is None:
            return None  # not loaded (yet), or hours IB did not give: treated as open
        self._cache[instrument] = hours
        return hours.is_open(at)

    def _hours(self, instrument: str) -> TradingHours | None:
        for provider in self.providers:
            for instrument_id, details in provider.contract_details.items():
                if str(instrument_id) == instrument:
                    try:
                        return parse_trading_hours(details.tradingHours or "", details.timeZoneId or "UTC")
                    except BadTradingHours:
                        return None
        return None


@dataclass
class LoadTimer:
    """Times the instrument providers' initial load (the data client's connect awaits it)."""

    seconds: float | None = None

    def attach(self) -> None:
        from nautilus_trader.adapters.interactive_brokers.factories import IB_INSTRUMENT_PROVIDERS

        providers: list[Any] = list(IB_INSTRUMENT_PROVIDERS.values())
        for provider in providers:
            if getattr(provider, "_ibrun_timed", False):
                continue
            original = provider.initialize

            async def initialize(*args: Any, _original: Any = original, **kwargs: Any) -> None:
                started = time.monotonic()
                try:
                    await _original(*args, **kwargs)
                finally:
                    self.seconds = max(self.seconds or 0.0, time.monotonic() - started)

            provider.initialize = initialize
            provider._ibrun_timed = True


@dataclass
class ReconciliationTap:
    """Position discrepancies the live execution engine finds (at start and in its periodic
    checks), and a failed start-up reconciliation."""

    mismatches: list[str] = field(default_factory=list)

    def attach(self, node: Any) -> None:
        engine = node.kernel.exec_engine
        find_missing_fills = getattr(engine, "_query_and_find_missing_fills", None)
        reconcile = getattr(engine, "reconcile_execution_state", None)
        if find_missing_fills is None or reconcile is None or getattr(engine, "_ibrun_tapped", False):
            return

        # nautilus looks for missing fills once it judges a discrepancy real: past its threshold
        # for the node's own recent activity (a fill of ours still on its way is none) and
        # within its retries. Its raw comparison (`_check_position_discrepancy`) is not that.
        async def find_missing(instrument_id: Any, *args: Any, **kwargs: Any) -> Any:
            self.mismatches.append(f"position of {instrument_id} differs from the gateway's")
            return await find_missing_fills(instrument_id, *args, **kwargs)

        async def reconcile_state(*args: Any, **kwargs: Any) -> bool:
            ok = bool(await reconcile(*args, **kwargs))
            if not ok:
                self.mismatches.append("the execution state could not be reconciled with the gateway at start")
            return ok

        engine._query_and_find_missing_fills = find_missing
        engine.reconcile_execution_state = reconcile_state
        engine._ibrun_tapped = True
