"""`ibrun instruments fetch|clear SPEC` as a user runs them, against the simulator."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from instrument_support import Lines, ibrun, spawn_ibrun, spec_text, until

from runner.instruments import location

pytestmark = pytest.mark.slow
CONTRACT_REQUESTS = "9"


def contract_requests(control) -> int:
    return control.call("requests", reset=True)["counts"].get(CONTRACT_REQUESTS, 0)


def test_fetch_fills_what_run_reads_and_clear_empties_it(sim, control, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(sim.port))
    assert ibrun("instruments", "clear", str(spec)).stdout == f"no instrument cache for {spec}\n"

    control.call("requests", reset=True)
    fetched = ibrun("instruments", "fetch", str(spec))
    assert fetched.returncode == 0, fetched.stderr
    [file] = location.default_directory().glob("*.json")
    assert fetched.stdout.startswith("fetched ") and fetched.stdout.rstrip().endswith(f"→ {file}")
    assert contract_requests(control) > 0

    run = ibrun("run", str(spec), "--duration", "0", "--no-status")
    assert run.returncode == 0, run.stderr[-2000:]
    assert contract_requests(control) == 0  # the run started from what fetch wrote

    cleared = ibrun("instruments", "clear", str(spec))
    assert cleared.returncode == 0 and cleared.stdout == f"removed {file}\n"
    assert not file.exists()


def test_pickle_path_is_the_file_relative_to_the_working_directory(sim, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(sim.port, cache="  pickle_path: state/ib-instruments.json\n"))
    work = tmp_path / "work"
    work.mkdir()
    fetched = ibrun("instruments", "fetch", str(spec), cwd=work)
    assert fetched.returncode == 0, fetched.stderr
    assert (work / "state" / "ib-instruments.json").is_file()
    assert ibrun("instruments", "clear", str(spec), cwd=work).stdout.startswith("removed ")
    assert not (work / "state" / "ib-instruments.json").exists()


def test_fetch_of_a_spec_without_a_cache_is_a_usage_error(sim, tmp_path: Path) -> None:
    spec = tmp_path / "nocache.yaml"
    spec.write_text(spec_text(sim.port, cache=""))
    result = ibrun("instruments", "fetch", str(spec))
    assert result.returncode == 2
    assert "keeps no instrument cache: set instruments.cache_validity_days" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_contract_is_not_found_at_once(sim, tmp_path: Path) -> None:
    """IB error 200 ends the request (nautilus 1.231 would wait out its 60 s timeout)."""
    spec = tmp_path / "unknown.yaml"
    spec.write_text(
        "version: 1\ntrader_id: CACHE-001\n"
        f"gateway: {{host: 127.0.0.1, port: {sim.port}}}\n"
        "instruments:\n  cache_validity_days: 1\n"
        "  contracts: [{secType: STK, symbol: NOSUCH, exchange: SMART, currency: USD}]\n"
    )
    result = ibrun("instruments", "fetch", str(spec), timeout=50)
    assert result.returncode == 9, result.stderr
    assert "error: IB found no security definition" in result.stderr and "NOSUCH" in result.stderr


def test_fetch_from_an_unreachable_gateway_exits_4(tmp_path: Path) -> None:
    spec = tmp_path / "nowhere.yaml"
    spec.write_text(spec_text(1))
    result = ibrun("instruments", "fetch", str(spec))
    assert result.returncode == 4 and "Traceback" not in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_during_a_slow_fetch_stops_it_at_once_and_leaves_no_cache(
    sim, control, tmp_path: Path, sig: signal.Signals
) -> None:
    """Ctrl-C, a service stop or a closed terminal while the gateway is slow to answer (IB's
    restart window): exit 130 with a message, no traceback, no cache file, not a hang in the
    IB client's reconnect loop (as a download had)."""
    spec = tmp_path / "slow.yaml"
    spec.write_text(spec_text(sim.port))
    control.call("requests", reset=True)
    control.call("delay", ms=60_000)  # nothing answered while the signal arrives
    fetch = Lines(spawn_ibrun("instruments", "fetch", str(spec)))
    try:
        asyncio.run(until(lambda: contract_requests(control) > 0, 60, "a contract request"))
    except BaseException as error:
        fetch.process.kill()
        raise AssertionError(f"{error}\n{fetch.text()[-3000:]}") from None
    fetch.process.send_signal(sig)
    assert fetch.finish(timeout=30) == 130, fetch.text()[-3000:]
    assert "interrupted; the instrument cache is unchanged" in fetch.text()
    assert "Traceback" not in fetch.text() and "Task exception was never retrieved" not in fetch.text()
    assert not list(location.default_directory().glob("*.json"))
