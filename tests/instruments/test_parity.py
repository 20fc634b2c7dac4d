"""A cold load through ibrun's provider builds what nautilus' own provider builds, and a warm
start from the cache file restores exactly that — without a single request."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from instrument_support import INSTRUMENTS, Recorder, connected_client, parse_instruments, stop_client
from nautilus_trader.adapters.interactive_brokers.common import dict_to_contract_details
from nautilus_trader.adapters.interactive_brokers.parsing.instruments import contract_details_to_dict
from nautilus_trader.adapters.interactive_brokers.providers import InteractiveBrokersInstrumentProvider

from runner.compile.compiler import compile_instrument_provider
from runner.instruments import restore, store
from runner.instruments.provider import CachedInstrumentProvider

CONTRACT_REQUESTS, OPTION_PARAMS = "9", "78"


def provider_config(cache_file: Path) -> Any:
    fields = yaml.safe_load(INSTRUMENTS)["instruments"]
    return compile_instrument_provider(parse_instruments({**fields, "pickle_path": str(cache_file)}))


def state(provider: Any) -> dict[str, Any]:
    """Everything a provider records per instrument, comparable across providers."""
    instruments = {}
    for instrument_id, instrument in provider.get_all().items():
        row = type(instrument).to_dict(instrument)
        row.pop("ts_event"), row.pop("ts_init")  # when it was parsed
        instruments[str(instrument_id)] = row
    return {
        "instruments": instruments,
        "contracts": {str(k): repr(v) for k, v in provider.contract.items()},
        "details": {str(k): contract_details_to_dict(v) for k, v in provider.contract_details.items()},
        "con_ids": {k: str(v) for k, v in provider.contract_id_to_instrument_id.items()},
    }


async def load(port: int, client_id: int, make: Any) -> tuple[Any, dict[str, Any]]:
    client = await connected_client(port, client_id)
    try:
        provider = make(client)
        await provider.initialize()
        return provider, state(provider)
    finally:
        await stop_client(client)


def test_cold_equals_nautilus_and_warm_equals_cold_without_requests(sim, control, tmp_path: Path) -> None:
    cache_file = tmp_path / "instruments.json"
    config = provider_config(cache_file)

    # each load in its own event loop, as in separate runs (one loop shares one load)
    _, nautilus = asyncio.run(load(sim.port, 41, lambda c: InteractiveBrokersInstrumentProvider(c, c._clock, config)))
    control.call("requests", reset=True)
    cold_provider, cold = asyncio.run(load(sim.port, 42, lambda c: CachedInstrumentProvider(c, c._clock, config)))
    cold_requests = control.call("requests", reset=True)["counts"]
    warm_provider, warm = asyncio.run(load(sim.port, 43, lambda c: CachedInstrumentProvider(c, c._clock, config)))
    warm_requests = control.call("requests", reset=True)["counts"]

    assert len(cold["instruments"]) > 60  # stocks, forex, index, ES futures, AAPL options
    assert cold == nautilus
    assert warm == cold
    assert cold_requests[CONTRACT_REQUESTS] > 0 and cold_requests[OPTION_PARAMS] == 1
    assert CONTRACT_REQUESTS not in warm_requests and OPTION_PARAMS not in warm_requests
    assert cold_provider.source.startswith("from the gateway") and str(cache_file) in cold_provider.source
    assert warm_provider.source == f"from the instrument cache {cache_file}"


def test_details_from_a_cached_row_equal_nautilus_own_conversion(sim, tmp_path: Path) -> None:
    cache_file = tmp_path / "instruments.json"
    asyncio.run(load(sim.port, 44, lambda c: CachedInstrumentProvider(c, c._clock, provider_config(cache_file))))
    rows = store.msgspec.json.decode(cache_file.read_bytes(), type=store.Snapshot).instruments
    for item, row in zip(restore.restored(rows), rows, strict=True):
        assert item.instrument.info == row["info"]
        nautilus = dict_to_contract_details(item.instrument.info)
        assert contract_details_to_dict(item.details) == contract_details_to_dict(nautilus)


def test_clients_of_one_node_share_one_load(sim, control, tmp_path: Path) -> None:
    """A data and an exec client with different client ids: one set of requests, not two."""
    config = provider_config(tmp_path / "shared.json")

    async def scenario() -> None:
        clients = [await connected_client(sim.port, client_id) for client_id in (45, 46)]
        say = Recorder()
        providers = [CachedInstrumentProvider(c, c._clock, config, say) for c in clients]
        control.call("requests", reset=True)
        await asyncio.gather(*(provider.initialize() for provider in providers))
        for client in clients:
            await stop_client(client)
        counts = control.call("requests", reset=True)["counts"]
        sent = providers[0].gate.stats.sent
        assert counts[CONTRACT_REQUESTS] + counts[OPTION_PARAMS] == sent
        assert providers[1].source == "shared with another client's load"
        assert state(providers[0]) == state(providers[1])

    asyncio.run(scenario())
