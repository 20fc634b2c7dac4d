"""The built-in actor: serves `data.subscriptions` and counts what the node receives.

It subscribes what the spec asks (quotes, trades, bars, order book) so that a spec without any
strategy still streams, and it listens on the message bus with wildcard topics so that data a
strategy subscribed is counted too (per instrument: quotes, trades, bars, book updates, last
price). The supervisor reads :attr:`SubscriberActor.stats` for the live status and the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING

from nautilus_trader.common.actor import Actor
from nautilus_trader.common.config import ActorConfig
from nautilus_trader.model.data import Bar, BarType, QuoteTick, TradeTick
from nautilus_trader.model.enums import BookType
from nautilus_trader.model.identifiers import InstrumentId

from runner.errors import Location, SpecInvalid, SpecIssue
from runner.monitoring.stats import Counters, InstrumentStats, Rejection

if TYPE_CHECKING:
    from runner.model.clients import Subscription

MONITOR_ID = "IBRUN-SUBSCRIBER"


@dataclass(frozen=True)
class PlannedSubscription:
    instrument_id: InstrumentId
    quotes: bool
    trades: bool
    bar_types: tuple[BarType, ...]
    depth: int


def plan_subscriptions(subscriptions: Sequence[Subscription], spec_path: Path) -> list[PlannedSubscription]:
    """Parse instrument ids and bar specs up front (an invalid one is a spec error, not a crash)."""
    planned, issues = [], []
    for index, sub in enumerate(subscriptions):
        where = f"data.subscriptions[{index}]"
        try:
            instrument_id = InstrumentId.from_str(sub.instrument)
        except ValueError as error:
            issues.append(_issue(spec_path, f"{where}.instrument", f"invalid instrument id: {error}"))
            continue
        bar_types = []
        for bar_index, spec in enumerate(sub.bars):
            try:
                bar_types.append(BarType.from_str(f"{instrument_id}-{spec}-EXTERNAL"))
            except ValueError as error:
                issues.append(_issue(spec_path, f"{where}.bars[{bar_index}]", f"invalid bar spec {spec!r}: {error}"))
        planned.append(PlannedSubscription(instrument_id, sub.quotes, sub.trades, tuple(bar_types), sub.depth))
    if issues:
        raise SpecInvalid(issues)
    return planned


def _issue(path: Path, json_path: str, message: str) -> SpecIssue:
    return SpecIssue(Location(str(path), 1, 1), json_path, message, rule="run")


class SubscriberActor(Actor):
    def __init__(self, planned: list[PlannedSubscription]) -> None:
        super().__init__(ActorConfig(component_id=MONITOR_ID))
        self._planned = planned
        self.counters = Counters()
        self.shutdown_reason: str | None = None
        """`<component>: <reason>` of a ShutdownSystem command (e.g. a strategy's)."""

    @property
    def planned(self) -> list[PlannedSubscription]:
        return self._planned

    @property
    def stats(self) -> dict[str, InstrumentStats]:
        return self.counters.per_instrument

    def on_start(self) -> None:
        self.msgbus.subscribe("commands.system.shutdown", self._on_shutdown)
        self.msgbus.subscribe("data.quotes.*", self._on_any_quote)
        self.msgbus.subscribe("data.trades.*", self._on_any_trade)
        self.msgbus.subscribe("data.bars.*", self._on_any_bar)
        self.msgbus.subscribe("data.book.deltas.*", self._on_any_book)
        self.msgbus.subscribe("data.book.depth.*", self._on_any_book)
        self.msgbus.subscribe("events.order.*", self._on_order_event)
        for sub in self._planned:
            self._subscribe(sub)

    def _subscribe(self, sub: PlannedSubscription) -> None:
        if self.cache.instrument(sub.instrument_id) is None:
            self.log.error(f"Not subscribing {sub.instrument_id}: instrument not loaded")
            return
        self.counters.of(sub.instrument_id)  # a row in the status even before any data
        if sub.quotes:
            self.subscribe_quote_ticks(sub.instrument_id)
        if sub.trades:
            self.subscribe_trade_ticks(sub.instrument_id)
        for bar_type in sub.bar_types:
            self.subscribe_bars(bar_type)
        if sub.depth:
            self.subscribe_order_book_deltas(sub.instrument_id, BookType.L2_MBP, depth=sub.depth)

    def on_stop(self) -> None:
        for topic, handler in (
            ("data.quotes.*", self._on_any_quote),
            ("data.trades.*", self._on_any_trade),
            ("data.bars.*", self._on_any_bar),
            ("data.book.deltas.*", self._on_any_book),
            ("data.book.depth.*", self._on_any_book),
            ("events.order.*", self._on_order_event),
        ):
            if self.msgbus.is_subscribed(topic, handler):
                self.msgbus.unsubscribe(topic, handler)

    def _on_shutdown(self, command: object) -> None:
        if self.shutdown_reason is None:
            reason = getattr(command, "reason", None) or "no reason given"
            self.shutdown_reason = f"{getattr(command, 'component_id', '?')}: {reason}"

    def _on_any_quote(self, quote: QuoteTick) -> None:
        stats = self.counters.of(quote.instrument_id)
        stats.quotes += 1
        stats.quote_at = monotonic()
        stats.bid, stats.ask = str(quote.bid_price), str(quote.ask_price)
        if not stats.trades:
            stats.last = (
                f"{(quote.bid_price.as_double() + quote.ask_price.as_double()) / 2:.{quote.bid_price.precision + 1}f}"
            )

    def _on_any_trade(self, trade: TradeTick) -> None:
        stats = self.counters.of(trade.instrument_id)
        stats.trades += 1
        stats.trade_at = monotonic()
        stats.last = str(trade.price)

    def _on_any_bar(self, bar: Bar) -> None:
        stats = self.counters.of(bar.bar_type.instrument_id)
        stats.bars += 1
        stats.bar_at[str(bar.bar_type.spec)] = monotonic()
        if not stats.quotes and not stats.trades:
            stats.last = str(bar.close)

    def _on_any_book(self, data: object) -> None:
        stats = self.counters.of(data.instrument_id)  # type: ignore[attr-defined]
        stats.book += 1
        stats.book_at = monotonic()

    def _on_order_event(self, event: object) -> None:
        name = type(event).__name__
        events = self.counters.order_events
        events[name] = events.get(name, 0) + 1
        if name in ("OrderRejected", "OrderDenied"):
            self.counters.rejections.append(
                Rejection(
                    client_order_id=str(getattr(event, "client_order_id", "?")),
                    instrument=str(getattr(event, "instrument_id", "?")),
                    reason=str(getattr(event, "reason", "") or "no reason given"),
                    denied=name == "OrderDenied",
                )
            )
