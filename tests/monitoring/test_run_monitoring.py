"""`ibrun run` with monitoring against `ibrun sim` over TCP: real HTTP clients, a local alert
receiver, faults injected through the simulator's control port."""

from __future__ import annotations

import json
import re
import signal
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from runner.sim.control import SimControl
from tests.conftest import invoke
from tests.launch.helpers import StreamWatcher, free_port, kill_group, spawn
from tests.monitoring.receiver import AlertReceiver

pytestmark = pytest.mark.slow

SECRET = "s3cr3t-hook-token-4242"
SPEC = """\
    version: 1
    trader_id: OPS-TEST-001
    gateway:
      simulated: {{tick_interval_ms: 100, control_port: {control}, market_hours: always_open}}
    instruments:
      load_ids: [SPY.ARCA, EUR/USD.IDEALPRO]
    data:
      subscriptions:
        - {{instrument: SPY.ARCA, quotes: true}}
        - {{instrument: EUR/USD.IDEALPRO, quotes: true}}
    monitoring:
      listen: 127.0.0.1:{listen}
      market_hours: always
      expected: {{quotes: 1}}
      reconnect_max_delay: 1
    alerts:
      destinations:
        - {{url: {{env: IBRUN_TEST_HOOK}}, name: test-hook}}
        - {{url: "json://127.0.0.1:{dead}/nobody", name: dead-hook, events: [node_stopped]}}
      rate_limit: {{per_subject: 0.1, per_minute: 100}}
    node:
      timeouts: {{connection: 20.0, disconnection: 3.0, post_stop: 0.5}}
"""


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def readyz(base: str) -> dict[str, Any]:
    status, body = get(base + "/readyz")
    report = json.loads(body)
    assert (status == 200) is report["ready"]
    return report


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll an endpoint's state until ``check`` holds (the event the test waits for)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def metrics(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    _, body = get(base + "/metrics")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


@pytest.fixture
def receiver() -> Any:
    with AlertReceiver() as server:
        yield server


def test_endpoints_watchdog_alerts_and_status(tmp_path: Path, receiver: AlertReceiver) -> None:
    control, listen = free_port(), free_port()
    spec = tmp_path / "ops.yaml"
    spec.write_text(textwrap.dedent(SPEC.format(control=control, listen=listen, dead=free_port())))
    hook = f"json://127.0.0.1:{receiver.port}/alerts?channel={SECRET}"
    proc = spawn(str(spec), env={"IBRUN_TEST_HOOK": hook})
    err = StreamWatcher(proc.stderr)
    base = f"http://127.0.0.1:{listen}"
    try:
        assert err.wait_for("monitoring on " + base, 60), err.text()[-3000:]
        wait_until(lambda: readyz(base)["ready"], 30, "ready")
        _check_endpoints(base)
        _check_status_command(base, spec)

        # 1101 without a 1100 first: IB dropped the market data, nautilus keeps the socket and
        # re-subscribes nothing. ibrun flags the silence and re-subscribes.
        with SimControl(control) as sim:
            sim.call("connectivity_restored", data_lost=True)
        wait_until(lambda: any("stale" in r for r in readyz(base)["reasons"]), 15, "stale")
        wait_until(lambda: readyz(base)["ready"], 15, "ready after re-subscribing")
        assert receiver.wait_for("SPY.ARCA quotes resumed", 10), receiver.titles()
        assert "OPS-TEST-001: SPY.ARCA quotes is stale" in receiver.titles()
        counts = metrics(base)
        assert (
            counts[
                ("ibrun_subscription_resubscribes_total", (("bar", ""), ("instrument", "SPY.ARCA"), ("kind", "quotes")))
            ]
            >= 1
        )

        # The gateway drops the client: not ready (disconnected), then back.
        with SimControl(control) as sim:
            sim.drop(1)
        wait_until(lambda: any("disconnected" in r for r in readyz(base)["reasons"]), 15, "disconnected")
        assert receiver.wait_for("IB client 1 disconnected", 15), receiver.titles()
        wait_until(lambda: readyz(base)["ready"], 30, "ready after the reconnect")
        assert receiver.wait_for("IB client 1 reconnected", 10), receiver.titles()
        assert metrics(base)[("ibrun_ib_reconnects_total", (("client_id", "1"), ("roles", "data")))] == 1
        proc.send_signal(signal.SIGTERM)
        out = proc.stdout.read()
        proc.wait(30)
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err.text()[-3000:]
    assert receiver.wait_for("node stopped", 10), receiver.titles()
    stderr = err.text()
    assert "alert 'node_stopped' to dead-hook could not be delivered" in stderr
    for text in (out, stderr, *(json.dumps(post) for post in receiver.posts)):
        assert SECRET not in text and hook not in text
    assert invoke("status", base).exit_code == 14  # nothing answers any more


def _check_endpoints(base: str) -> None:
    status, body = get(base + "/healthz")
    assert status == 200 and json.loads(body)["alive"] is True
    report = readyz(base)
    assert report["reasons"] == [] and report["clients"][0]["connected"] is True
    assert {(s["instrument"], s["state"]) for s in report["subscriptions"]} == {
        ("SPY.ARCA", "fresh"),
        ("EUR/USD.IDEALPRO", "fresh"),
    }
    counts = metrics(base)
    assert counts[("ibrun_ready", ())] == 1 and counts[("ibrun_up", ())] == 1
    assert counts[("ibrun_data_received_total", (("instrument", "SPY.ARCA"), ("kind", "quotes")))] > 0
    assert counts[("ibrun_instruments_loaded", ())] == 2
    assert get(base + "/nope")[0] == 404


def _check_status_command(base: str, spec: Path) -> None:
    by_url = invoke("status", base)
    assert by_url.exit_code == 0, by_url.stderr
    assert "OPS-TEST-001: READY (running" in by_url.stdout
    assert re.search(r"SPY\.ARCA quotes\s+fresh", by_url.stdout)
    by_spec = invoke("status", str(spec))
    assert by_spec.exit_code == 0 and by_spec.stdout.startswith("OPS-TEST-001: READY (running")


def _has_ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback (::1) on this machine")
def test_monitor_on_the_ipv6_loopback(tmp_path: Path) -> None:
    """`--monitor [::1]:0`: was read as a YAML list by the --set it becomes, then bound IPv4 only."""
    spec = tmp_path / "v6.yaml"
    spec.write_text(
        "version: 1\ntrader_id: OPS-V6-001\n"
        "gateway: {simulated: {market_hours: always_open}}\n"
        "instruments: {load_ids: [EUR/USD.IDEALPRO]}\n"
    )
    proc = spawn(str(spec), "--monitor", "[::1]:0", "--no-status")
    err = StreamWatcher(proc.stderr)
    try:
        assert err.wait_for("monitoring on http://[::1]:", 60), err.text()[-3000:]
        [base] = re.findall(r"monitoring on (http://\[::1\]:\d+)", err.text())
        wait_until(lambda: readyz(base)["ready"], 30, "ready")
        assert invoke("status", base).exit_code == 0
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        kill_group(proc.pid)
    assert proc.returncode == 130, err.text()[-3000:]
