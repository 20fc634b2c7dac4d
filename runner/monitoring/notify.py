"""Alert delivery with Apprise, on a background thread (a slow webhook never blocks the node).

Destination URLs are resolved here, in the run process, from the plan's references; they are used
only to build Apprise objects and as values to mask: messages name a destination by its spec name
or `#N (scheme)`, never by its URL, and every message is redacted against every URL's secret parts
before it leaves.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.errors import NodeFailed
from runner.loading.files import MAX_SECRET_BYTES, FileRefused, read_text
from runner.monitoring.alerting import Alert, redact, secret_parts
from runner.monitoring.plan import AlertsPlan, DestinationPlan
from runner.monitoring.urls import scheme_of

_NOTIFY_TYPES = {"info": "info", "success": "success", "warning": "warning", "failure": "failure"}


@dataclass
class _Target:
    plan: DestinationPlan
    apprise: Any


class Notifier:
    def __init__(self, plan: AlertsPlan, environ: Mapping[str, str] | None = None) -> None:
        import apprise

        # Apprise logs delivery details on its own logger; ibrun reports failures itself, by name.
        logging.getLogger("apprise").setLevel(logging.CRITICAL)
        environ = os.environ if environ is None else environ
        self._targets: list[_Target] = []
        self._secrets: list[str] = []
        for destination in plan.destinations:
            url = _resolve(destination, environ)
            self._secrets += secret_parts(url)
            target = apprise.Apprise()
            if not target.add(url):
                raise NodeFailed(
                    f"alerts.destinations[{destination.index}] ({destination.name}): Apprise does not "
                    f"understand this {scheme_of(url) or 'scheme-less'} URL"
                )
            self._targets.append(_Target(destination, target))
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[Alert | None] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver_all, name="ibrun-alerts", daemon=True)
        self._thread.start()

    def send(self, alert: Alert) -> None:
        self._queue.put(alert)

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (the `node_stopped` alert is usually last), for at most ``timeout`` s."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _deliver_all(self) -> None:
        while (alert := self._queue.get()) is not None:
            for target in self._targets:
                if alert.event in target.plan.events:
                    self._deliver(target, alert)

    def _deliver(self, target: _Target, alert: Alert) -> None:
        title = redact(alert.title, self._secrets)
        body = redact(alert.body, self._secrets)
        try:
            ok = target.apprise.notify(body=body, title=title, notify_type=_NOTIFY_TYPES[alert.severity])
        except Exception:  # a plugin raising must not end the delivery thread
            ok = False
        if ok:
            self.sent += 1
            return
        self.failed += 1
        print(f"ibrun: alert {alert.event!r} to {target.plan.name} could not be delivered", file=sys.stderr, flush=True)


def _resolve(destination: DestinationPlan, environ: Mapping[str, str]) -> str:
    if destination.url is not None:
        return destination.url
    source = destination.secret
    assert source is not None
    where = f"alerts.destinations[{destination.index}].url"
    if source.env:
        value = environ.get(source.env, "")
        if not value:
            raise NodeFailed(f"{where}: {source.describe()} is not set")
        return value.strip()
    assert source.file is not None
    try:
        value = read_text(source.file, MAX_SECRET_BYTES).strip()
    except FileRefused as exc:
        problem = "is not valid UTF-8" if exc.in_content else str(exc)  # never where: a byte of it
        raise NodeFailed(f"{where}: cannot read {source.describe()}: it {problem}") from None
    if not value:
        raise NodeFailed(f"{where}: {source.describe()} is empty")
    return value
