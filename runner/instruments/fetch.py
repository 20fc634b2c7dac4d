"""Fill or clear a spec's instrument cache without a node (`ibrun instruments fetch|clear`).

The fetch connects one IB client, loads through :class:`CachedInstrumentProvider` exactly as a
node's start-up would (fresh, ignoring the file), and writes the file the next `ibrun run` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import HandshakeTimeout, InstrumentNotFound, UsageError
from runner.instruments import location


@dataclass(frozen=True)
class FetchResult:
    instruments: int
    requests: int
    retried: int
    seconds: float
    path: Path


class StderrSay:
    """The provider's and gate's reports, as `ibrun:` lines on stderr."""

    def info(self, message: str) -> None:
        print(f"ibrun: {message}", file=sys.stderr)

    def warning(self, message: str) -> None:
        print(f"ibrun: warning: {message}", file=sys.stderr)


def cache_policy_of(config: Any, spec_name: str) -> location.CachePolicy:
    """The spec's cache policy; a usage error when it keeps none (a fetch would be read by nobody)."""
    policy = location.cache_policy(config)
    if policy is None:
        raise UsageError(
            f"{spec_name} keeps no instrument cache: set instruments.cache_validity_days"
            " (or instruments.pickle_path) for `ibrun run` to use one"
        )
    return policy


def clear(config: Any) -> list[Path]:
    """Remove the spec's cache files (every gateway login's); the paths removed."""
    policy = location.cache_policy(config)
    if policy is None:
        return []
    files = policy.files_for(location.request_key(location.request_of(config)))
    for path in files:
        path.unlink(missing_ok=True)
    return files


async def fetch(
    config: Any,
    host: str,
    port: int,
    client_id: int,
    *,
    request_timeout: int,
    connect_timeout: float,
    retry_for: float,
) -> FetchResult:
    """Load the instruments of a provider config from host:port and write its cache file."""
    from nautilus_trader.adapters.interactive_brokers.client import InteractiveBrokersClient
    from nautilus_trader.cache.cache import Cache
    from nautilus_trader.common.component import LiveClock, MessageBus
    from nautilus_trader.model.identifiers import TraderId

    from runner.instruments.provider import CachedInstrumentProvider

    policy = location.cache_policy(config)
    assert policy is not None  # checked by cache_policy_of before connecting
    clock = LiveClock()
    client = InteractiveBrokersClient(
        loop=asyncio.get_running_loop(),
        msgbus=MessageBus(TraderId("IBRUN-INSTRUMENTS"), clock),
        cache=Cache(),
        clock=clock,
        host=host,
        port=port,
        client_id=client_id,
        request_timeout_secs=request_timeout,
    )
    client.start()
    try:
        await _connected(client, host, port, connect_timeout)
        provider = CachedInstrumentProvider(client, clock, config, StderrSay())
        provider.gate.budget = retry_for
        started = time.monotonic()
        try:
            await provider.initialize(reload=True)
        except RuntimeError as error:  # nautilus' "Unable to resolve configured ... instruments"
            raise InstrumentNotFound(f"IB found no security definition: {error}") from error
        login = location.gateway_identity(client.accounts())
        return FetchResult(
            instruments=provider.count,
            requests=provider.gate.stats.sent,
            retried=provider.gate.stats.retried,
            seconds=time.monotonic() - started,
            path=policy.file_for(location.request_key(location.request_of(config)), login),
        )
    finally:
        with contextlib.suppress(Exception):  # best effort at exit
            await asyncio.wait_for(client._stop_async(), 5)


async def _connected(client: Any, host: str, port: int, timeout: float) -> None:
    try:
        await client.wait_until_ready(int(max(1, timeout)))
    except TimeoutError as error:
        raise HandshakeTimeout(
            f"{host}:{port} accepted the connection but the API handshake did not finish within {timeout:.0f} s"
        ) from error
