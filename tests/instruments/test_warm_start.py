"""`ibrun run` against the simulator over TCP: the second start sends no contract request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from instrument_support import ibrun, spec_text

from runner.instruments import location, store

pytestmark = pytest.mark.slow
EXEC = "data: {client_id: 1}\nexec: {client_id: 2, account_id: DU123456}\n"  # two clients, two providers
INSTRUMENT_REQUESTS = ("9", "78")  # reqContractDetails, reqSecDefOptParams
LOADED = re.compile(r"Initialized (\d+) instruments from the gateway \((\d+) requests")


def run(spec: Path) -> str:
    result = ibrun("run", str(spec), "--duration", "0", "--no-status")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def instrument_requests(control) -> int:
    counts = control.call("requests", reset=True)["counts"]
    return sum(counts.get(message, 0) for message in INSTRUMENT_REQUESTS)


def cache_files() -> list[Path]:
    return sorted(location.default_directory().glob("*.json"))


def test_warm_start_sends_no_contract_request(sim, control, tmp_path: Path) -> None:
    spec = tmp_path / "cached.yaml"
    spec.write_text(spec_text(sim.port, extra=EXEC))
    before = set(cache_files())
    control.call("requests", reset=True)

    cold = run(spec)
    [(count, sent)] = set(LOADED.findall(cold))  # both clients report the one shared load
    assert instrument_requests(control) == int(sent) > 0
    [written] = set(cache_files()) - before

    warm = run(spec)
    assert instrument_requests(control) == 0
    assert f"Initialized {count} instruments from the instrument cache {written}" in warm
    assert f"instruments loaded: {count}" in warm  # the run's summary: the node has them all

    written.write_text('{"format": 1, "instruments": [')  # damaged (e.g. a full disk)
    damaged = run(spec)
    assert len([line for line in damaged.splitlines() if "not used: corrupt" in line]) == 1
    assert instrument_requests(control) == int(sent)
    assert LOADED.search(damaged) is not None
    login = location.gateway_identity(["DU123456"])
    key = written.name.split("-")[0]
    assert len(store.read(written, key=key, gateway=login).instruments) == int(count)  # rewritten
