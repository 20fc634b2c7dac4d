"""Semantic checks that the schema cannot express: small `_check_*` rules over a valid model.

Each rule returns `(json_path, message)` problems; `run_checks` collects them all so that a user
sees every problem of a file at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from runner.ib.accounts import DEFAULT_PORTS, port_contradicts
from runner.ib.symbology import LoadIdError, ibrun_hints, parse_load_id
from runner.loading.document import JsonPath
from runner.model import Spec
from runner.model.instruments import Contract
from runner.validation.checks_node import node_rules
from runner.validation.problems import Problem

Rule = Callable[[Spec], Iterator[Problem]]


def _check_load_ids(spec: Spec) -> Iterator[Problem]:
    symbology = spec.instruments.symbology
    for index, load_id in enumerate(spec.instruments.load_ids):
        try:
            hint = ibrun_hints(parse_load_id(load_id, symbology))
        except LoadIdError as exc:
            yield ("instruments", "load_ids", index), f"{exc} ({symbology} symbology)"
            continue
        if hint:
            yield ("instruments", "load_ids", index), hint


def _check_duplicate_load_ids(spec: Spec) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, load_id in enumerate(spec.instruments.load_ids):
        if load_id in seen:
            yield ("instruments", "load_ids", index), f"duplicate load_id '{load_id}' (also at index {seen[load_id]})"
        seen.setdefault(load_id, index)


def _check_port_matches_mode(spec: Spec, written: Mapping[str, Any]) -> Iterator[Problem]:
    gateway = spec.gateway
    explicit = {key for key in ("app", "trading_mode") if key in (written.get("gateway") or {})}
    if gateway.port is None or not explicit:
        return
    apps = [gateway.app] if "app" in explicit else ["tws", "gateway"]
    modes = [gateway.trading_mode] if "trading_mode" in explicit else ["paper", "live"]
    expected = {DEFAULT_PORTS[(app, mode)] for app in apps for mode in modes}
    owner = next((key for key, port in DEFAULT_PORTS.items() if port == gateway.port), None)
    if owner is not None and gateway.port not in expected:
        app, mode = owner
        said = ", ".join(f"{k}: {getattr(gateway, k)}" for k in ("app", "trading_mode") if k in explicit)
        yield (
            ("gateway", "port"),
            (
                f"port {gateway.port} is the {'TWS' if app == 'tws' else 'IB Gateway'} {mode} port, "
                f"but the spec says {said} (expected {' or '.join(map(str, sorted(expected)))})"
            ),
        )


def _check_docker_host_port(spec: Spec) -> Iterator[Problem]:
    # The interlock refuses it at start too (runner.launch.interlock); validate says it first.
    docker = spec.gateway.docker
    if docker is not None and docker.host_port is not None:
        why = port_contradicts(docker.host_port, spec.gateway.trading_mode)
        if why is not None:
            yield ("gateway", "docker", "host_port"), f"{why}; publish it on another port"


def _check_shared_client_id(spec: Spec) -> Iterator[Problem]:
    # nautilus caches one connection per (host, port, client_id): with equal ids the exec
    # client reuses the data client's connection and its own settings below are ignored.
    data, exec_ = spec.data, spec.exec_
    if exec_ is None or exec_.client_id != data.client_id:
        return
    ignored = "shares the data client's connection (same client_id {id}), so {what} is ignored; use distinct client ids"
    if exec_.fetch_all_open_orders:
        yield ("exec", "fetch_all_open_orders"), ignored.format(id=data.client_id, what="fetch_all_open_orders")
    if exec_.request_timeout != data.request_timeout:
        yield ("exec", "request_timeout"), ignored.format(id=data.client_id, what="request_timeout")


def _check_download_client_id(spec: Spec) -> Iterator[Problem]:
    if spec.download is None:
        return
    used = {spec.data.client_id} | ({spec.exec_.client_id} if spec.exec_ else set())
    if spec.download.client_id in used and spec.gateway.kind == "existing":
        yield (
            ("download", "client_id"),
            (
                f"client_id {spec.download.client_id} is also used by the node's clients on the same "
                "gateway: IB refuses a second connection with it (error 326)"
            ),
        )


def _check_expiry_windows(spec: Spec) -> Iterator[Problem]:
    instruments = spec.instruments
    yield from _window(("instruments",), instruments.min_expiry_days, instruments.max_expiry_days)
    for index, contract in enumerate(instruments.contracts):
        yield from _window(("instruments", "contracts", index), contract.min_expiry_days, contract.max_expiry_days)


def _window(path: JsonPath, low: int | None, high: int | None) -> Iterator[Problem]:
    if low is not None and high is not None and low > high:
        yield (*path, "min_expiry_days"), f"min_expiry_days ({low}) is greater than max_expiry_days ({high})"


def _check_contracts(spec: Spec) -> Iterator[Problem]:
    for index, contract in enumerate(spec.instruments.contracts):
        for field, message in _contract_problems(contract):
            yield ("instruments", "contracts", index, field), message


def _contract_problems(c: Contract) -> Iterator[tuple[str, str]]:
    if c.secIdType and not c.secId:
        yield "secId", f"secIdType {c.secIdType} needs a secId"
    if not (c.symbol or c.localSymbol or c.secId or c.conId):
        yield "symbol", "a contract needs a symbol, localSymbol, secId or conId"
    if c.secType in ("OPT", "FOP") and not c.build_options_chain and not c.localSymbol:
        for field in ("lastTradeDateOrContractMonth", "right"):
            if not getattr(c, field):
                yield (
                    field,
                    f"a single {c.secType} contract needs {field} (or build_options_chain: true on its underlying)",
                )
        if c.strike is None:
            yield "strike", f"a single {c.secType} contract needs a strike"
    if c.secType == "CASH" and not c.currency and not c.localSymbol:
        yield "currency", "a CASH contract needs a currency (e.g. symbol: EUR, currency: USD)"
    if c.build_futures_chain and c.secType not in ("CONTFUT", "FUT"):
        yield "build_futures_chain", f"futures chains are built from a CONTFUT or FUT contract, not {c.secType}"
    if c.options_chain_exchange and not c.build_options_chain:
        yield "options_chain_exchange", "only used with build_options_chain: true"


def _check_subscriptions(spec: Spec) -> Iterator[Problem]:
    from runner.ib.barspec import BarSpecError, parse_bar_spec

    for index, sub in enumerate(spec.data.subscriptions):
        path = ("data", "subscriptions", index)
        try:
            parse_load_id(sub.instrument, spec.instruments.symbology)
        except LoadIdError as exc:
            yield (*path, "instrument"), str(exc)
        for bar_index, bar in enumerate(sub.bars):
            try:
                parse_bar_spec(bar)
            except BarSpecError as exc:
                yield (*path, "bars", bar_index), str(exc)
        if not (sub.quotes or sub.trades or sub.bars or sub.depth):
            yield path, "subscribes to nothing: set quotes, trades, bars or depth"


def _check_duplicate_components(spec: Spec) -> Iterator[Problem]:
    for section in ("strategies", "actors"):
        components = getattr(spec.node, section)
        ids = Counter(str(c.config.get("strategy_id") or c.config.get("component_id") or c.path) for c in components)
        for index, component in enumerate(components):
            key = str(component.config.get("strategy_id") or component.config.get("component_id") or component.path)
            if ids[key] > 1 and not component.config.get("order_id_tag"):
                yield ("node", section, index), f"{component.path} appears {ids[key]} times: give each an order_id_tag"
                ids[key] = 0


def _check_download(spec: Spec) -> Iterator[Problem]:
    if spec.download is None:
        return
    from runner.validation.checks_download import check_download

    yield from check_download(spec)


def _check_monitoring(spec: Spec) -> Iterator[Problem]:
    from runner.validation.checks_monitoring import check_alerts, check_monitoring

    yield from check_monitoring(spec)
    yield from check_alerts(spec)


RULES: tuple[Rule, ...] = (
    _check_docker_host_port,
    _check_load_ids,
    _check_duplicate_load_ids,
    _check_shared_client_id,
    _check_download_client_id,
    _check_expiry_windows,
    _check_contracts,
    _check_subscriptions,
    _check_duplicate_components,
    _check_download,
    _check_monitoring,
    node_rules,
)


def run_checks(
    spec: Spec, written: Mapping[str, Any], variables: Mapping[JsonPath, frozenset[str]] | None = None
) -> list[Problem]:
    """Every rule's problems. `written` is the data `spec` was validated from: the port rule is
    about what the spec says, which the model (defaults filled in) no longer tells; `variables`
    which variables each written value was interpolated from (the docker env rule)."""
    from runner.validation.checks_secrets import check_docker_env

    return [
        *(problem for rule in RULES for problem in rule(spec)),
        *_check_port_matches_mode(spec, written),
        *check_docker_env(spec, variables or {}),
    ]
