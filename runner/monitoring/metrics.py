"""`/metrics`: the latest snapshot in Prometheus' text format (prometheus-client's exposition).

A custom collector turns the snapshot into metric families at scrape time, so the node's hot path
(every quote) pays nothing for metrics: the counts it keeps anyway are read when Prometheus asks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from runner.monitoring.snapshot import FARM_CODES, Snapshot, readiness

SUB_LABELS = ["instrument", "kind", "bar"]


class SnapshotCollector(Collector):
    def __init__(self, latest: Callable[[], Snapshot]) -> None:
        self._latest = latest

    def collect(self) -> Iterator[Metric]:
        s = self._latest()
        yield from _node(s)
        yield from _connection(s)
        yield from _data(s)
        yield from _orders(s)
        yield from _positions(s)


def registry_for(latest: Callable[[], Snapshot]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(latest))
    return registry


def _gauge(name: str, doc: str, value: float | None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc)
    if value is not None:
        family.add_metric([], value)
    return family


def _node(s: Snapshot) -> Iterator[Metric]:
    yield _gauge("ibrun_up", "1 while ibrun serves metrics.", 1)
    yield _gauge("ibrun_ready", "1 when connected, instruments loaded and every subscription fresh.", not readiness(s))
    yield _gauge("ibrun_running", "1 while the node is RUNNING.", s.phase == "running")
    yield _gauge("ibrun_running_seconds", "Seconds since the node reached RUNNING.", s.running_seconds)
    yield _gauge(
        "ibrun_event_loop_lag_seconds", "Age of the last snapshot the event loop took.", time.monotonic() - s.taken_at
    )
    yield _gauge("ibrun_startup_seconds", "Seconds from start to RUNNING.", s.startup_seconds)
    yield _gauge(
        "ibrun_instrument_load_seconds", "Seconds the initial instrument load took.", s.instrument_load_seconds
    )
    yield _gauge("ibrun_instruments_loaded", "Instruments in the node's cache.", s.instruments_loaded)
    yield _gauge("ibrun_instruments_missing", "Spec load_ids not loaded.", len(s.instruments_missing))
    sent = CounterMetricFamily("ibrun_alerts_sent", "Alerts delivered.")
    sent.add_metric([], s.alerts_sent)
    failed = CounterMetricFamily("ibrun_alerts_failed", "Alert deliveries that failed.")
    failed.add_metric([], s.alerts_failed)
    yield from (sent, failed)


def _connection(s: Snapshot) -> Iterator[Metric]:
    connected = GaugeMetricFamily(
        "ibrun_ib_connected", "1 while the IB API client is connected.", labels=["client_id", "roles"]
    )
    reconnects = CounterMetricFamily(
        "ibrun_ib_reconnects", "Reconnections of the IB API client.", labels=["client_id", "roles"]
    )
    for client in s.clients:
        labels = [str(client.client_id), "+".join(client.roles)]
        connected.add_metric(labels, client.connected)
        reconnects.add_metric(labels, client.reconnects)
    errors = CounterMetricFamily("ibrun_ib_errors", "IB error and status messages by code.", labels=["code"])
    for code, count in sorted(s.errors.items()):
        errors.add_metric([str(code)], count)
    farms = GaugeMetricFamily(
        "ibrun_ib_farm_broken", "1 while IB reports the farm broken (2103/2105/2157).", labels=["farm"]
    )
    for farm in FARM_CODES:
        farms.add_metric([farm], farm in s.farms_broken)
    yield from (connected, reconnects, errors, farms)


def _data(s: Snapshot) -> Iterator[Metric]:
    received = CounterMetricFamily(
        "ibrun_data_received", "Market data received, per instrument and kind.", labels=["instrument", "kind"]
    )
    for (instrument, kind), count in sorted(s.received.items()):
        received.add_metric([instrument, kind], count)
    age = GaugeMetricFamily(
        "ibrun_subscription_age_seconds", "Seconds since the subscription's last data.", labels=SUB_LABELS
    )
    stale = GaugeMetricFamily("ibrun_subscription_stale", "1 while the subscription is stale.", labels=SUB_LABELS)
    expected = GaugeMetricFamily(
        "ibrun_subscription_expected_seconds", "Expected seconds between data.", labels=SUB_LABELS
    )
    resubscribes = CounterMetricFamily(
        "ibrun_subscription_resubscribes", "Re-subscriptions by the watchdog.", labels=SUB_LABELS
    )
    for sub in s.subscriptions:
        labels = [sub.watch.instrument, sub.watch.kind, sub.watch.detail]
        if sub.age is not None:
            age.add_metric(labels, sub.age)
        stale.add_metric(labels, sub.state == "stale")
        expected.add_metric(labels, sub.watch.expected)
        resubscribes.add_metric(labels, sub.resubscribes)
    yield from (received, age, stale, expected, resubscribes)


def _orders(s: Snapshot) -> Iterator[Metric]:
    events = CounterMetricFamily(
        "ibrun_order_events", "Order events by type (OrderSubmitted, OrderFilled, ...).", labels=["event"]
    )
    for name, count in sorted(s.order_events.items()):
        events.add_metric([name], count)
    yield events
    for name, doc, event_names in (
        ("ibrun_orders_submitted", "Orders submitted.", ("OrderSubmitted",)),
        (
            "ibrun_orders_rejected",
            "Orders rejected by IB or denied by the risk engine.",
            ("OrderRejected", "OrderDenied"),
        ),
        ("ibrun_order_fills", "Fills.", ("OrderFilled",)),
    ):
        family = CounterMetricFamily(name, doc)
        family.add_metric([], sum(s.order_events.get(event, 0) for event in event_names))
        yield family


def _positions(s: Snapshot) -> Iterator[Metric]:
    quantity = GaugeMetricFamily("ibrun_position_quantity", "Open position (negative: short).", labels=["instrument"])
    realized = GaugeMetricFamily("ibrun_pnl_realized", "Realized PnL per position.", labels=["instrument", "currency"])
    unrealized = GaugeMetricFamily(
        "ibrun_pnl_unrealized", "Unrealized PnL per position.", labels=["instrument", "currency"]
    )
    for p in s.positions:
        quantity.add_metric([p.instrument], p.quantity)
        realized.add_metric([p.instrument, p.currency], p.realized)
        if p.unrealized is not None:
            unrealized.add_metric([p.instrument, p.currency], p.unrealized)
    yield from (quantity, realized, unrealized)
