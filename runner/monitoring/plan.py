"""What the run needs of `monitoring:` and `alerts:`, as plain picklable values (no pydantic).

Made where the spec is loaded (`ops_plan(spec, base_dir)`); the process that runs the node reads
only these. Alert URLs given by reference stay references here: their values are read at run
time, in the run process, and never enter the plan, a log or a message.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runner.address import parse_host_port
from runner.ib.barspec import BarSpecError, parse_bar_spec
from runner.monitoring.urls import scheme_of
from runner.monitoring.watchdog import Kind, Watch

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.model.alerts import Destination


@dataclass(frozen=True)
class SecretSource:
    env: str | None = None
    file: str | None = None
    """An absolute path."""

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"file {self.file}"


@dataclass(frozen=True)
class DestinationPlan:
    index: int
    name: str
    """How ibrun names it in messages: the spec's `name`, else `#N (scheme)` — never the URL."""
    events: frozenset[str]
    url: str | None = None
    """A plain (credential-free) URL written in the spec."""
    secret: SecretSource | None = None


@dataclass(frozen=True)
class AlertsPlan:
    destinations: tuple[DestinationPlan, ...]
    per_subject: float = 300.0
    per_minute: int = 10


@dataclass(frozen=True)
class MonitoringPlan:
    listen: tuple[str, int] | None = None
    watchdog: bool = True
    expected: dict[str, float] = field(default_factory=lambda: {"quotes": 30.0, "trades": 120.0, "book": 30.0})
    per_instrument: dict[str, dict[str, float]] = field(default_factory=dict)
    tolerance: float = 1.5
    resubscribe_attempts: int = 3
    market_hours: str = "contract"
    reconnect_max_delay: float | None = 2.0
    login_needed_after: float = 300.0

    def expected_for(self, instrument: str, kind: str, bar_spec: str = "") -> float:
        """Seconds between two data of this subscription (a bar's own length for bars)."""
        if kind == "bars":
            try:
                return float(parse_bar_spec(bar_spec).seconds)
            except BarSpecError:
                return self.expected["quotes"]
        return self.per_instrument.get(instrument, {}).get(kind) or self.expected[kind]

    def watch(self, instrument: str, kind: Kind, bar_spec: str = "") -> Watch:
        return Watch(instrument, kind, self.expected_for(instrument, kind, bar_spec), bar_spec)


@dataclass(frozen=True)
class OpsPlan:
    monitoring: MonitoringPlan
    watches: tuple[Watch, ...]
    """The spec's `data.subscriptions` (strategies' own subscriptions are found at run time)."""
    alerts: AlertsPlan | None = None
    trader_id: str = ""


def ops_plan(spec: Spec, base_dir: Path) -> OpsPlan | None:
    """None when everything is off (no watchdog, no endpoints, no alerts): nothing to run."""
    monitoring = _monitoring(spec)
    if not monitoring.watchdog and monitoring.listen is None and spec.alerts is None:
        return None
    return OpsPlan(
        monitoring=monitoring,
        watches=_watches(spec, monitoring),
        alerts=_alerts(spec, base_dir),
        trader_id=spec.trader_id,
    )


def _monitoring(spec: Spec) -> MonitoringPlan:
    m = spec.monitoring
    per_instrument = {
        instrument: {kind: value for kind, value in asdict(intervals).items() if value is not None}
        for instrument, intervals in m.instruments.items()
    }
    return MonitoringPlan(
        listen=parse_host_port(m.listen) if m.listen else None,
        watchdog=m.watchdog,
        expected=asdict(m.expected),
        per_instrument=per_instrument,
        tolerance=m.tolerance,
        resubscribe_attempts=m.resubscribe_attempts,
        market_hours=m.market_hours,
        reconnect_max_delay=m.reconnect_max_delay,
        login_needed_after=m.login_needed_after,
    )


def _watches(spec: Spec, monitoring: MonitoringPlan) -> tuple[Watch, ...]:
    watches: list[Watch] = []
    for sub in spec.data.subscriptions:
        if sub.quotes:
            watches.append(monitoring.watch(sub.instrument, "quotes"))
        if sub.trades:
            watches.append(monitoring.watch(sub.instrument, "trades"))
        if sub.depth:
            watches.append(monitoring.watch(sub.instrument, "book"))
        watches.extend(monitoring.watch(sub.instrument, "bars", bar) for bar in sub.bars)
    return tuple(watches)


def _alerts(spec: Spec, base_dir: Path) -> AlertsPlan | None:
    alerts = spec.alerts
    if alerts is None:
        return None
    return AlertsPlan(
        destinations=tuple(
            _destination(index, destination, alerts.events, base_dir)
            for index, destination in enumerate(alerts.destinations)
        ),
        per_subject=alerts.rate_limit.per_subject,
        per_minute=alerts.rate_limit.per_minute,
    )


def _destination(
    index: int, destination: Destination, default_events: Sequence[str], base_dir: Path
) -> DestinationPlan:
    events = frozenset(destination.events if destination.events is not None else default_events)
    if isinstance(destination.url, str):
        name = destination.name or f"#{index + 1} ({scheme_of(destination.url)})"
        return DestinationPlan(index, name, events, url=destination.url)
    ref = destination.url
    path = str((base_dir / os.path.expanduser(ref.file)).resolve()) if ref.file else None
    source = SecretSource(env=ref.env, file=path)
    return DestinationPlan(index, destination.name or f"#{index + 1}", events, secret=source)
