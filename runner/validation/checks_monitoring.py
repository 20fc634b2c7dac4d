"""Semantic checks of `monitoring:` and `alerts:` (pure: nothing of the run path is imported)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from runner.address import BadAddress, is_loopback, parse_host_port
from runner.ib.symbology import LoadIdError, parse_load_id
from runner.monitoring.urls import inline_url_problem

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.validation.problems import Problem


def check_monitoring(spec: Spec) -> Iterator[Problem]:
    monitoring = spec.monitoring
    if monitoring.listen is not None:
        try:
            host, _port = parse_host_port(monitoring.listen)
        except BadAddress as error:
            yield ("monitoring", "listen"), str(error)
        else:
            if not is_loopback(host) and not monitoring.allow_remote:
                yield (
                    ("monitoring", "listen"),
                    f"{host} is not a loopback address: the endpoints have no authentication; "
                    "set monitoring.allow_remote: true to serve them beyond this machine",
                )
    for instrument in monitoring.instruments:
        try:
            parse_load_id(instrument, spec.instruments.symbology)
        except LoadIdError as error:
            yield ("monitoring", "instruments", instrument), str(error)


def check_alerts(spec: Spec) -> Iterator[Problem]:
    if spec.alerts is None:
        return
    for index, destination in enumerate(spec.alerts.destinations):
        if isinstance(destination.url, str):
            problem = inline_url_problem(destination.url)
            if problem:
                yield ("alerts", "destinations", index, "url"), problem
