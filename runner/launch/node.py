"""Build the TradingNode of a compiled spec (inside a running event loop)."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import msgspec

from runner.errors import ImportFailed, NodeFailed
from runner.launch.subscriber import PlannedSubscription, SubscriberActor

LEVELS = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "OFF"]


def quiet_console(config: Any, floor: str = "WARNING") -> Any:
    """The node config with console logging at ``floor`` or above (file logging unchanged)."""
    logging = config.logging
    if logging is None:
        return config
    level = "WARNING" if logging.log_level.upper() == "WARN" else logging.log_level.upper()
    if LEVELS.index(level) >= LEVELS.index(floor):
        return config
    return msgspec.structs.replace(config, logging=msgspec.structs.replace(logging, log_level=floor))


def colours_for(config: Any, tty: bool) -> Any:
    """The node config with console colours only when the console is a terminal (a piped or
    redirected run would otherwise carry ANSI escape codes into files and CI logs)."""
    logging = config.logging
    if logging is None or tty or not logging.log_colors:
        return config
    return msgspec.structs.replace(config, logging=msgspec.structs.replace(logging, log_colors=False))


def build_node(
    config: Any, loop: asyncio.AbstractEventLoop, planned: list[PlannedSubscription]
) -> tuple[Any, SubscriberActor]:
    """Create and build the node; must run inside ``loop`` (the IB clients schedule tasks)."""
    before = set(asyncio.all_tasks(loop))
    try:
        return _build(config, loop, planned)
    except BaseException:
        cancel_new_tasks(before, loop)  # no client may start connecting for a failed build
        raise


def _build(
    config: Any, loop: asyncio.AbstractEventLoop, planned: list[PlannedSubscription]
) -> tuple[Any, SubscriberActor]:
    from nautilus_trader.adapters.interactive_brokers.common import IB, IB_VENUE
    from nautilus_trader.adapters.interactive_brokers.factories import (
        InteractiveBrokersLiveDataClientFactory,
        InteractiveBrokersLiveExecClientFactory,
    )
    from nautilus_trader.live.node import TradingNode

    try:
        node = TradingNode(config=config, loop=loop)
    except ImportError as error:
        raise ImportFailed(f"importing a strategy/actor failed: {error}") from error
    except Exception as error:
        raise NodeFailed(f"building the node failed: {type(error).__name__}: {error}") from error
    node.add_data_client_factory(IB, InteractiveBrokersLiveDataClientFactory)
    if config.exec_clients:
        node.add_exec_client_factory(IB, InteractiveBrokersLiveExecClientFactory)
    try:
        node.build()
    except Exception as error:
        raise NodeFailed(f"building the IB clients failed: {type(error).__name__}: {error}") from error
    from runner.instruments.provider import adopt_providers  # instrument cache, pacing, retries

    adopt_providers(config.timeout_connection)
    set_specific_venue(node, IB_VENUE)
    actor = SubscriberActor(planned)
    node.trader.add_actor(actor)
    return node, actor


def set_specific_venue(node: Any, venue: Any) -> None:
    """IB accounts are not tied to one venue: account lookups for NASDAQ, IDEALPRO, ... must all
    resolve to the IB account. The guide's `node.portfolio.set_specific_venue` moved to the cache
    in 1.231 (deprecated there, still required for the portfolio's per-venue lookups)."""
    target = getattr(node.portfolio, "set_specific_venue", None) or node.cache.set_specific_venue
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        target(venue)


def component_names(node: Any) -> tuple[list[str], list[str]]:
    strategies = [str(strategy.id) for strategy in node.trader.strategies()]
    actors = [str(actor.id) for actor in node.trader.actors()]
    return strategies, actors


def cancel_new_tasks(before: set[asyncio.Task], loop: asyncio.AbstractEventLoop) -> int:
    """Cancel tasks created since ``before`` (the IB clients' connect tasks in a dry run).

    Called without awaiting in between, so none of them has run a single step: nothing
    connects."""
    new = [task for task in asyncio.all_tasks(loop) if task not in before and not task.done()]
    for task in new:
        task.cancel()
    return len(new)
