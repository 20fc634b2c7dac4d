"""nautilus' IB instrument provider with ibrun's instrument cache, concurrent loads and retries.

:func:`adopt_providers` turns the providers nautilus built for a node into
:class:`CachedInstrumentProvider` in place (their data and exec clients already hold them), so the
node's own start-up — ``initialize()`` in each client's connect — restores or loads through ibrun:

1. a usable cache file (see `store`): its instruments go straight into the provider and the
   node's cache — no request is sent;
2. otherwise a load from the gateway: every load_id and contract is requested at once (paced by
   the `gate`), option chains expiry by expiry concurrently; what came back is then processed
   by nautilus itself, in nautilus' own order, so the instruments are the ones nautilus would
   have built; the result is written to the cache file when the spec keeps one.

Providers of the same node asking for the same instruments through the same login (data and
exec clients with different client ids) share one load.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any, cast

import pandas as pd
from nautilus_trader.adapters.interactive_brokers.common import IBContract
from nautilus_trader.adapters.interactive_brokers.parsing.instruments import (
    instrument_id_to_ib_contract,
    possible_exchanges_for_venue,
)
from nautilus_trader.adapters.interactive_brokers.providers import InteractiveBrokersInstrumentProvider
from nautilus_trader.model.identifiers import InstrumentId, is_generic_spread_id

from runner.errors import IbrunError
from runner.instruments import location, restore, store
from runner.instruments.gate import DEFAULT_BUDGET_SECONDS, Gate, GatedClient, Say

type Item = InstrumentId | IBContract
type Fetched = tuple[str | None, list[Any] | None]
"""(the venue nautilus processes with, the contract details IB returned); None: a spread id."""

# The load in progress per node (event loop), request key and login: {loop: {(key, login): rows}}.
_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Future[Any]]] = (
    weakref.WeakKeyDictionary()
)


class CachedInstrumentProvider(InteractiveBrokersInstrumentProvider):
    """See the module doc. Built by :func:`adopt_providers` (a node) or directly (the CLI)."""

    gate: Gate
    failure: IbrunError | None
    source: str

    def __init__(self, client: Any, clock: Any, config: Any, say: Say | None = None) -> None:
        super().__init__(client=client, clock=clock, config=config)
        self._ibrun_setup(say)

    @classmethod
    def adopt(cls, provider: InteractiveBrokersInstrumentProvider, budget: float) -> CachedInstrumentProvider:
        """Turn nautilus' provider into this class in place (it keeps every reference to it)."""
        if not isinstance(provider, cls):
            provider.__class__ = cls
            assert isinstance(provider, cls)
            provider._ibrun_setup(None)
        provider.gate.budget = budget
        provider.failure = None  # a provider nautilus reuses for a later node starts afresh
        return provider

    def _ibrun_setup(self, say: Say | None) -> None:
        self.gate = Gate(self._client, say or self._log, DEFAULT_BUDGET_SECONDS)
        self._client = GatedClient(self._client, self.gate)  # type: ignore[assignment]  # a proxy of it
        self.failure = None
        self.source = ""

    @property
    def say(self) -> Say:
        return self.gate.say

    # --- start-up ------------------------------------------------------------------------------

    async def initialize(self, reload: bool = False) -> None:
        async with self._init_lock:
            if not reload and self._loaded:
                return
            self._loaded = False
            items = self._startup_items()
            if not items:
                self._log.warning("No loading configured: ensure there are `load_ids` or `load_contracts`")
                return
            self.say.info("Initializing instruments...")
            started = time.monotonic()
            try:
                await self._obtain(items, reload)
            except IbrunError as error:
                self.failure = error
                self._log.error(str(error))
                raise
            self._loaded = True
            self.say.info(f"Initialized {self.count} instruments {self.source} in {time.monotonic() - started:.2f} s")

    def _startup_items(self) -> list[Item]:
        # nautilus' order: load_ids by str, then contracts by repr
        load_ids = sorted(
            (i if isinstance(i, InstrumentId) else InstrumentId.from_str(i) for i in self._load_ids_on_start or []),
            key=str,
        )
        contracts = sorted(
            (c if isinstance(c, IBContract) else IBContract(**c) for c in self._load_contracts_on_start or []),
            key=repr,
        )
        return [*load_ids, *contracts]

    async def _obtain(self, items: list[Item], reload: bool) -> None:
        request = location.request_of(self.config)
        key = location.request_key(request)
        login = location.gateway_identity(self._client.accounts())
        loads = _SHARED.setdefault(asyncio.get_running_loop(), {})
        if not reload and (shared := loads.get((key, login))) is not None:
            restore.apply(self, restore.restored(await asyncio.shield(shared)))
            self.source = "shared with another client's load"
            return
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        loads[(key, login)] = future
        try:
            rows = await self._rows(items, request, key, login, reload)
        except BaseException as error:
            loads.pop((key, login), None)
            future.set_exception(error)
            future.exception()  # retrieved: the other provider, if any, reports it itself
            raise
        future.set_result(rows)
        del loads[(key, login)]  # a provider arriving later reads the file; the rows are not kept

    async def _rows(self, items: list[Item], request: dict[str, Any], key: str, login: str, reload: bool) -> Any:
        policy = location.cache_policy(self.config)
        path = policy.file_for(key, login) if policy is not None else None
        if path is not None and not reload:
            try:
                rows = store.read(path, key=key, gateway=login).instruments
                restore.apply(self, restore.restored(rows))
                self.source = f"from the instrument cache {path}"
                return rows
            except store.Unusable as why:
                note = self.say.info if str(why) == "no cache file yet" else self.say.warning
                note(f"instrument cache {path} not used: {why}; loading from the gateway")
        rows = await self._load(items)
        self.source = f"from the gateway ({self.gate.stats.sent} requests, {self.gate.stats.retried} retried)"
        if policy is not None and path is not None:
            try:
                store.write(path, store.snapshot_of(key, request, login, rows, policy.validity_days))
                self.source += f", cached in {path}"
            except OSError as error:  # a cache that cannot be written must not stop the node
                self.say.warning(f"instrument cache {path} not written: {error}")
        return rows

    async def _load(self, items: list[Item]) -> list[dict[str, Any]]:
        self.gate.begin()
        try:
            fetched: list[Fetched] = await _all([self._fetch(item) for item in items])
        finally:
            self.gate.end()
        unresolved = [item for item, found in zip(items, fetched, strict=True) if not await self._process(item, found)]
        if unresolved:
            raise RuntimeError(
                "Unable to resolve configured Interactive Brokers instruments: "
                + ", ".join(repr(item) for item in unresolved)
            )
        return restore.rows_of(self)

    async def _fetch(self, item: Item) -> Fetched:
        """What nautilus' `load_with_return_async(item)` requests, without processing it yet."""
        if not isinstance(item, InstrumentId):
            return None, await self.get_contract_details(item)
        if is_generic_spread_id(item):
            return None, None  # built from its legs by nautilus while processing
        venue = item.venue.value
        try:
            for exchange in possible_exchanges_for_venue(venue):
                method = self.config.symbology_method
                contract = instrument_id_to_ib_contract(item, exchange, method, self.contract_details)
                if details := await self.get_contract_details(contract):
                    return venue, details
        except ValueError as error:
            self._log.error(str(error))
        return venue, []

    async def _process(self, item: Item, found: Fetched) -> bool:
        venue, details = found
        if details is None:
            return await self.fetch_instrument_id(item, self._filters)  # type: ignore[arg-type]
        if not details:
            self._log.error(f"Unable to resolve contract details for {item!r}")
            return False
        force = bool(self._filters and self._filters.get("force_instrument_update", False))
        return bool(self._process_contract_details(details, venue, force))

    # --- option chains: one request per expiry, concurrently ---------------------------------------

    async def get_option_chain_details_by_range(
        self,
        underlying: IBContract,
        min_expiry: pd.Timestamp,
        max_expiry: pd.Timestamp,
        exchange: str | None = None,
    ) -> list[Any]:
        chains = await self._client.get_option_chains(underlying)
        if not chains:
            self._log.warning(f"No option chains available for {underlying.symbol}.{underlying.exchange}")
            return []
        wanted = exchange or "SMART"
        # nautilus requests an expiry once per trading class listing it (SPX and SPXW share the
        # monthlies); one request returns the contracts of every class.
        expirations = sorted(
            {
                expiry
                for chain_exchange, chain_expirations in chains
                if chain_exchange == wanted
                for expiry in chain_expirations
                if min_expiry <= pd.Timestamp(expiry, tz="UTC") <= max_expiry
            }
        )
        per_expiry: list[list[Any]] = await _all(
            [self.get_option_chain_details_by_expiry(underlying, expiry, exchange) for expiry in expirations]  # type: ignore[arg-type]
        )
        return [details for group in per_expiry for details in group]


async def _all[T](awaitables: list[Any]) -> list[T]:
    """gather, but every request finishes (or fails by itself) before the first error is raised:
    cancelling nautilus' pending requests would leave them registered under their names."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return cast(list[T], results)


def adopt_providers(connection_timeout: float) -> None:
    """Make every IB instrument provider nautilus built in this process ibrun's (call after
    ``node.build()``); their loads give up a little before the node's connection timeout."""
    from nautilus_trader.adapters.interactive_brokers.factories import IB_INSTRUMENT_PROVIDERS

    budget = max(5.0, connection_timeout - 5.0)
    for provider in IB_INSTRUMENT_PROVIDERS.values():
        CachedInstrumentProvider.adopt(provider, budget)


def load_failure() -> IbrunError | None:
    """Why an adopted provider's start-up load failed (retries exhausted), if one did."""
    from nautilus_trader.adapters.interactive_brokers.factories import IB_INSTRUMENT_PROVIDERS

    for provider in IB_INSTRUMENT_PROVIDERS.values():
        if isinstance(provider, CachedInstrumentProvider) and provider.failure is not None:
            return provider.failure
    return None
