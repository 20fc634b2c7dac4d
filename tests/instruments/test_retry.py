"""IB's restart window during an instrument load: timeouts, a gateway that goes away and comes
back on the same port, a broken sec-def farm — retried with backoff and reported; exit 13 when
the retries run out."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from instrument_support import (
    INSTRUMENTS,
    Lines,
    Recorder,
    connected_client,
    parse_instruments,
    spawn_ibrun,
    spec_text,
    stop_client,
    until,
)

from runner.compile.compiler import compile_instrument_provider
from runner.instruments.provider import CachedInstrumentProvider
from runner.sim.config import SimConfig
from runner.sim.control import SimControl
from runner.sim.launcher import free_port_config, start_simulator

pytestmark = pytest.mark.slow
RETRIED = re.compile(r"\((\d+) requests, (\d+) retried\)")


def test_timeouts_are_retried_until_the_gateway_answers(sim, control, tmp_path: Path) -> None:
    spec = tmp_path / "slow.yaml"
    spec.write_text(spec_text(sim.port, extra="data: {request_timeout: 1}\n"))
    control.call("delay", ms=3000)  # every answer comes after nautilus gave up on it
    fetch = Lines(spawn_ibrun("instruments", "fetch", str(spec)))
    fetch.wait_for("retrying with backoff", timeout=60)
    control.call("delay", ms=0)
    assert fetch.finish(timeout=90) == 0, fetch.text()[-3000:]
    assert "instrument requests answered again after" in fetch.text()
    [(_sent, retried)] = RETRIED.findall(fetch.text().splitlines()[-1])
    assert int(retried) >= 1


def test_retries_that_run_out_exit_13(sim, control, tmp_path: Path) -> None:
    spec = tmp_path / "never.yaml"
    spec.write_text(spec_text(sim.port, extra="data: {request_timeout: 1}\n"))
    control.call("delay", ms=60_000)
    fetch = Lines(spawn_ibrun("instruments", "fetch", str(spec), "--retry-for", "3"))
    assert fetch.finish(timeout=60) == 13, fetch.text()[-3000:]
    assert "error: instruments could not be loaded from 127.0.0.1:" in fetch.text()
    assert "IB's restart window" in fetch.text()


def test_gateway_restart_during_a_run_load(tmp_path: Path) -> None:
    """The gateway dies mid-load (connection refused for a while) and comes back on its port:
    `ibrun run` waits, retries and reaches RUNNING with every instrument."""
    first = start_simulator(free_port_config(SimConfig()), startup_timeout=30)
    port = first.port
    spec = tmp_path / "restart.yaml"
    spec.write_text(spec_text(port))
    with SimControl(first.control_port) as control:
        control.call("delay", ms=500)
        run = Lines(spawn_ibrun("run", str(spec), "--duration", "0", "--no-status"))
        try:
            asyncio.run(until(lambda: _loading(control, run), 60, "the load to start"))
        except BaseException as error:
            first.stop()
            run.process.kill()
            raise AssertionError(f"{error}\n{run.text()[-3000:]}") from None
    first.stop()  # connections dropped; the port refuses until the next start
    run.wait_for("instrument request", timeout=60)  # "failed (ConnectionError ...)" or "wait for the gateway"
    second = start_simulator(dataclasses.replace(free_port_config(SimConfig()), port=port), startup_timeout=30)
    try:
        assert run.finish(timeout=120) == 0, run.text()[-4000:]
    finally:
        second.stop()
    output = run.text()
    assert "instrument requests answered again after" in output
    [(_sent, retried)] = RETRIED.findall(output)
    assert int(retried) >= 1
    assert re.search(r"instruments loaded: \d{2,}", output)


def _loading(control: SimControl, run: Lines) -> bool:
    assert run.process.poll() is None, "ibrun ended before its instrument load"
    return control.call("requests")["counts"].get("9", 0) > 0


def test_requests_wait_while_the_secdef_farm_is_broken(sim, control, tmp_path: Path) -> None:
    fields = yaml.safe_load(INSTRUMENTS)["instruments"]
    config = compile_instrument_provider(parse_instruments(fields))

    async def scenario() -> None:
        client = await connected_client(sim.port, 51)
        say = Recorder()
        provider = CachedInstrumentProvider(client, client._clock, config, say)
        try:
            control.call("farm", kind="secdef", up=False)  # 2157 to every connected client
            await until(lambda: provider.gate.held, 10, "the client to see 2157")
            control.call("requests", reset=True)
            loading = asyncio.ensure_future(provider.initialize())
            await until(lambda: say.saw("wait for the gateway: sec-def farm broken (2157)"), 10, "the held line")
            assert control.call("requests")["counts"].get("9", 0) == 0  # nothing sent while broken
            control.call("farm", kind="secdef", up=True)  # 2158
            await asyncio.wait_for(loading, 60)
        finally:
            await stop_client(client)
        assert provider.count > 60 and control.call("requests")["counts"]["9"] > 0
        assert say.saw("instrument requests answered again after")

    asyncio.run(scenario())
