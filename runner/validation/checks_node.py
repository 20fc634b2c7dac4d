"""Semantic rules for the node's production sections, from incidents nautilus users reported.

Errors (`node_rules`, run with the other `_check_*` rules):

* `flush_on_start` on a live spec: FLUSHDB at every start wipes the orders, positions and account
  state a restarted live node needs (nautilus #3560, #3550) — unless `live_flush_on_start` is
  acknowledged;
* the cache and the message bus on one Redis server (nautilus 1.231 has no database number): a
  flush of one wipes the other (#3560) — unless `shared_redis_database` is acknowledged;
* a `node.nautilus` key the typed sections cover (one way to say each thing);
* a subscription for an instrument the spec does not load (at run time: one ERROR line, exit 0).

Warnings (`node_warnings`: printed, the spec stays valid): a live Redis cache without
reconciliation, a live risk engine bypass, state saved or loaded with no database to keep it,
an acknowledgement of a risk the spec does not take.
"""

from __future__ import annotations

from collections.abc import Iterator

from runner.ib.symbology import LoadIdError, split_instrument_id
from runner.model import Spec
from runner.model.node import TYPED_NAUTILUS_KEYS
from runner.validation.problems import Problem

_ACK = "add `{name}` to node.acknowledge to take this risk knowingly"


def _live(spec: Spec) -> bool:
    return spec.gateway.is_live


def _flushes_live_state(spec: Spec) -> bool:
    cache = spec.node.cache
    return _live(spec) and cache is not None and cache.database is not None and bool(cache.flush_on_start)


def _shares_database(spec: Spec) -> bool:
    cache, bus = spec.node.cache, spec.node.message_bus
    if cache is None or bus is None or cache.database is None or bus.database is None:
        return False
    return cache.database.server == bus.database.server


def _check_live_flush_on_start(spec: Spec) -> Iterator[Problem]:
    if _flushes_live_state(spec) and "live_flush_on_start" not in spec.node.acknowledge:
        yield (
            ("node", "cache", "flush_on_start"),
            "flush_on_start on a live spec wipes the Redis database at every start (FLUSHDB): the orders, "
            "positions and account state a restarted node reconciles with IB are gone, and its strategies "
            "start blind (nautilus #3560, #3550); remove it, or " + _ACK.format(name="live_flush_on_start"),
        )


def _check_shared_database(spec: Spec) -> Iterator[Problem]:
    if _shares_database(spec) and "shared_redis_database" not in spec.node.acknowledge:
        assert spec.node.cache is not None and spec.node.cache.database is not None
        host, port = spec.node.cache.database.server
        yield (
            ("node", "message_bus", "database"),
            f"the cache and the message bus use the same Redis server {host}:{port} (nautilus has no database "
            "number): a flush of one wipes the other, e.g. the cache's flush_on_start clears the message bus "
            "streams (nautilus #3560); give the message bus its own redis-server, or "
            + _ACK.format(name="shared_redis_database"),
        )


def _check_escape_hatch_keys(spec: Spec) -> Iterator[Problem]:
    for key in spec.node.nautilus:
        owner = TYPED_NAUTILUS_KEYS.get(key)
        if owner is None:
            continue  # nautilus' own decoder checks the rest (`validate --deep`, `run`)
        if key == "environment":
            yield ("node", "nautilus", key), f"'{key}' cannot be set: {owner}"
        else:
            yield (
                ("node", "nautilus", key),
                f"'{key}' is set by {owner} in a spec: write it there (one way to say each thing)",
            )


def _check_subscribed_instruments_loaded(spec: Spec) -> Iterator[Problem]:
    instruments = spec.instruments
    loaded = set(instruments.load_ids)
    unloaded = [(index, sub) for index, sub in enumerate(spec.data.subscriptions) if sub.instrument not in loaded]
    if not unloaded:
        return
    loaded_symbols = {_symbol(load_id) for load_id in instruments.load_ids}
    roots = {_normal(text) for c in instruments.contracts for text in (c.symbol, c.localSymbol) if text}
    for index, sub in unloaded:
        symbol = _symbol(sub.instrument)
        if symbol is None:  # an unparsable id is `_check_subscriptions`' to report
            continue
        if instruments.convert_exchange_to_mic_venue and symbol in loaded_symbols:
            continue  # loaded under its MIC venue (SPY.ARCA → SPY.ARCX)
        if any(_normal(symbol).startswith(root) for root in roots):
            continue  # possibly loaded by a contract or its chain: the node checks it once loaded
        yield (
            ("data", "subscriptions", index, "instrument"),
            f"'{sub.instrument}' is not loaded by this spec: add it to instruments.load_ids"
            + (f" (loaded: {', '.join(instruments.load_ids)})" if instruments.load_ids else ""),
        )


def _symbol(instrument_id: str) -> str | None:
    try:
        return split_instrument_id(instrument_id)[0]
    except LoadIdError:
        return None


def _normal(text: str) -> str:
    return text.upper().replace("/", "").replace(" ", "").replace(".", "")


NODE_RULES = (
    _check_live_flush_on_start,
    _check_shared_database,
    _check_escape_hatch_keys,
    _check_subscribed_instruments_loaded,
)


def node_rules(spec: Spec) -> Iterator[Problem]:
    if _production_sections_unset(spec):  # most specs: only the subscriptions to check
        yield from _check_subscribed_instruments_loaded(spec)
        return
    for rule in NODE_RULES:
        yield from rule(spec)


def _production_sections_unset(spec: Spec) -> bool:
    node = spec.node
    return (
        node.cache is None
        and node.message_bus is None
        and node.risk_engine is None
        and node.exec_engine is None
        and not node.nautilus
        and not node.acknowledge
        and not node.load_state
        and not node.save_state
    )


# --- warnings ----------------------------------------------------------------------------------


def node_warnings(spec: Spec) -> list[Problem]:
    if _production_sections_unset(spec):
        return []
    return [*_reconciliation_off(spec), *_risk_bypassed(spec), *_state_nowhere(spec), *_acknowledged_nothing(spec)]


def _reconciliation_off(spec: Spec) -> Iterator[Problem]:
    cache, engine = spec.node.cache, spec.node.exec_engine
    if _live(spec) and cache is not None and cache.database is not None and engine and engine.reconciliation is False:
        yield (
            ("node", "exec_engine", "reconciliation"),
            "a live node with a Redis cache but reconciliation off trusts the cache as it was left: orders "
            "filled or cancelled at IB while it was down stay open in it, and a strategy may trade again on "
            "stale state (nautilus #3176, #5057); keep reconciliation on unless another process reconciles",
        )


def _risk_bypassed(spec: Spec) -> Iterator[Problem]:
    risk = spec.node.risk_engine
    if _live(spec) and spec.exec_ is not None and risk is not None and risk.bypass:
        yield (
            ("node", "risk_engine", "bypass"),
            "a live node with its risk engine bypassed: no pre-trade check, no rate limit",
        )


def _state_nowhere(spec: Spec) -> Iterator[Problem]:
    cache = spec.node.cache
    if cache is not None and cache.database is not None:
        return
    for field in ("load_state", "save_state"):
        if getattr(spec.node, field):
            yield ("node", field), f"{field} needs node.cache.database: without one there is nowhere to keep the state"


def _acknowledged_nothing(spec: Spec) -> Iterator[Problem]:
    taken = {"live_flush_on_start": _flushes_live_state(spec), "shared_redis_database": _shares_database(spec)}
    for index, name in enumerate(spec.node.acknowledge):
        if not taken[name]:
            yield ("node", "acknowledge", index), f"acknowledges '{name}', but the spec does not take that risk"
