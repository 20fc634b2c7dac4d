"""Riding through IB's restart window (issue 14, part 3): a real `ibrun run` against `ibrun sim`
over TCP, the simulator's daily restart and weekly re-login driven through its control port,
/readyz read with urllib all along, alerts at a local receiver, orders counted at the simulator.

- daily restart, `exec.while_disconnected: hold`: the node reconnects, its data resumes, an order
  sent while the gateway was down is held and placed once after it is back, the orders from
  before are neither lost nor placed again, and /readyz is never ready while the gateway is down.
- a silent stall: flagged stale, re-subscribed, resumed.
- weekly re-login, `reject` (the default): an order sent while the gateway is down is rejected
  with the reason and never reaches it, the login_needed alert fires, and once the login is
  completed the node trades again.
"""

from __future__ import annotations

import json
import shutil
import signal
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runner.sim.control import SimControl
from tests.launch.helpers import StreamWatcher, free_port, kill_group, spawn, wait_group_gone
from tests.monitoring.receiver import AlertReceiver

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
PLACE_ORDER = "3"
SPEC = """\
    version: 1
    trader_id: RESTART-TEST-001
    gateway:
      simulated: {{tick_interval_ms: 100, control_port: {control}, market_hours: always_open}}
    instruments:
      load_ids: [AAPL.NASDAQ, EUR/USD.IDEALPRO]
    data:
      subscriptions:
        - {{instrument: EUR/USD.IDEALPRO, quotes: true}}
    exec:
      client_id: 2
      account_id: DU123456
      while_disconnected: {policy}
    monitoring:
      listen: 127.0.0.1:{listen}
      market_hours: always
      expected: {{quotes: 1}}
      reconnect_max_delay: 1
      login_needed_after: 2
    alerts:
      destinations:
        - {{url: "json://127.0.0.1:{receiver}/alerts", name: test-hook}}
      rate_limit: {{per_subject: 0.1, per_minute: 100}}
    node:
      timeouts: {{connection: 20.0, disconnection: 3.0, post_stop: 0.5}}
      strategies:
        - path: trigger_strategy:TriggerStrategy
          config: {{instrument_id: AAPL.NASDAQ, trigger_dir: "{triggers}"}}
"""


@dataclass(frozen=True)
class Sample:
    at: float
    """time.time() when the answer came."""
    ready: bool
    reasons: tuple[str, ...]
    report: dict[str, Any]


class ReadyzRecorder:
    """Reads /readyz every 50 ms in a thread and keeps every answer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            report = readyz(self.base)
            if report is not None:
                self.samples.append(Sample(time.time(), report["ready"], tuple(report["reasons"]), report))

    def __enter__(self) -> ReadyzRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def latest(self) -> Sample | None:
        return self.samples[-1] if self.samples else None


def readyz(base: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return dict(json.loads(error.read()))
    except OSError:
        return None


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return result


class Node:
    """One `ibrun run` with the trigger strategy, its simulator's control port and monitoring."""

    def __init__(self, tmp_path: Path, policy: str, receiver: AlertReceiver) -> None:
        self.triggers = tmp_path / "triggers"
        self.triggers.mkdir()
        shutil.copy(HERE / "trigger_strategy.py", tmp_path / "trigger_strategy.py")
        self.control_port, listen = free_port(), free_port()
        self.base = f"http://127.0.0.1:{listen}"
        spec = tmp_path / "restart.yaml"
        text = SPEC.format(
            control=self.control_port, listen=listen, policy=policy, receiver=receiver.port, triggers=self.triggers
        )
        spec.write_text(textwrap.dedent(text))
        self.proc = spawn(str(spec))
        self.err = StreamWatcher(self.proc.stderr)
        self._count = 0

    def control(self, cmd: str, **args: Any) -> dict[str, Any]:
        with SimControl(self.control_port) as control:
            return control.call(cmd, **args)

    def placed(self) -> int:
        return int(self.control("requests")["counts"].get(PLACE_ORDER, 0))

    def trigger(self, action: str) -> str:
        """Make the strategy act; returns the client order id it used."""
        self._count += 1
        name = f"{self._count}.{action}"
        (self.triggers / name).write_text("")
        sent = wait_until(lambda: [e for e in self.events() if e["event"] == "sent" and e["reason"] == name], 10, name)
        return str(sent[0]["order"])

    def events(self, order: str | None = None) -> list[dict[str, str]]:
        path = self.triggers / "events.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        events = [json.loads(line) for line in lines]
        return [e for e in events if order is None or e["order"] == order]

    def wait_event(self, order: str, event: str, timeout: float = 20) -> dict[str, str]:
        found = wait_until(lambda: [e for e in self.events(order) if e["event"] == event], timeout, f"{order} {event}")
        return found[0]

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGTERM)
        out = self.proc.stdout.read()
        self.proc.wait(30)
        return self.proc.returncode, out, self.err.text()


@pytest.fixture
def receiver() -> Any:
    with AlertReceiver() as server:
        yield server


def test_daily_restart_holds_orders_and_readyz_tells_the_truth(tmp_path: Path, receiver: AlertReceiver) -> None:
    node = Node(tmp_path, "hold", receiver)
    try:
        assert node.err.wait_for("monitoring on " + node.base, 60), node.err.text()[-3000:]
        with ReadyzRecorder(node.base) as recorder:
            wait_until(lambda: (s := recorder.latest()) and s.ready, 30, "ready")
            resting = node.trigger("limit")
            node.wait_event(resting, "accepted")
            filled = node.trigger("market")
            node.wait_event(filled, "filled")
            assert node.placed() == 2

            down = node.control("restart", seconds=6)
            wait_until(lambda: any("disconnected" in r for r in recorder.latest().reasons), 10, "not ready")
            held = node.trigger("market")  # while the gateway refuses connections
            assert node.err.wait_for("holding submit order", 10), node.err.text()[-3000:]
            assert node.placed() == 2 and node.events(held) == [{"event": "sent", "order": held, "reason": "3.market"}]
            back = wait_until(lambda: (g := node.control("gateway"))["phase"] == "up" and g, 20, "the gateway back")
            node.wait_event(held, "filled")
            wait_until(lambda: (s := recorder.latest()) and s.ready and s.at > back["back_at"], 20, "ready again")

        # No order lost, none placed twice: the resting limit was placed once and still works at
        # the gateway after the restart, the held order was placed exactly once after it.
        assert node.placed() == 3
        orders = node.control("orders")["orders"]
        assert sorted(o["status"] for o in orders) == ["Filled", "Filled", "Submitted"]
        assert [p["size"] for p in node.control("positions")["positions"]] == [2]
        assert node.events(resting)[-1]["event"] == "accepted"

        # /readyz told the truth: never ready while the gateway was down (after the node could
        # notice), ready again only with data stamped after the gateway came back.
        noticed = min(s.at for s in recorder.samples if s.at >= down["down_since"] and not s.ready)
        assert noticed - down["down_since"] < 2.0
        assert not [s for s in recorder.samples if noticed <= s.at <= back["back_at"] and s.ready]
        first_ready = min(s.at for s in recorder.samples if s.at > back["back_at"] and s.ready)
        subscriptions = next(s for s in recorder.samples if s.at == first_ready).report["subscriptions"]
        assert {(sub["instrument"], sub["kind"]) for sub in subscriptions} == {
            ("EUR/USD.IDEALPRO", "quotes"),  # the spec's
            ("AAPL.NASDAQ", "quotes"),  # the strategy's
        }
        assert all(first_ready - sub["age_seconds"] > back["back_at"] for sub in subscriptions)
        assert receiver.wait_for("IB client 2 reconnected", 10) and receiver.wait_for("IB client 1 reconnected", 10)
        code, out, err = node.stop()
    finally:
        kill_group(node.proc.pid)
    assert code == 130, err[-3000:]
    assert "Traceback" not in err and "Traceback" not in out
    assert wait_group_gone(node.proc.pid) == []


def test_weekly_relogin_rejects_orders_and_alerts_login_needed(tmp_path: Path, receiver: AlertReceiver) -> None:
    node = Node(tmp_path, "reject", receiver)
    try:
        assert node.err.wait_for("monitoring on " + node.base, 60), node.err.text()[-3000:]
        wait_until(lambda: (r := readyz(node.base)) and r["ready"], 30, "ready")
        # A silent stall (no error, the socket fine): flagged stale, re-subscribed, resumed.
        assert node.control("stall", localSymbol="EUR.USD")["stalled"]
        stale = "EUR/USD.IDEALPRO quotes: stale"
        wait_until(lambda: any(r.startswith(stale) for r in readyz(node.base)["reasons"]), 15, "stale")
        wait_until(lambda: (r := readyz(node.base)) and r["ready"], 15, "ready after the re-subscription")
        assert receiver.wait_for("EUR/USD.IDEALPRO quotes resumed", 10), receiver.titles()
        assert node.control("gateway")["stalled"] == []

        first = node.trigger("market")
        node.wait_event(first, "filled")

        node.control("restart", seconds=0, relogin=True)
        wait_until(lambda: any("disconnected" in r for r in readyz(node.base)["reasons"]), 10, "not ready")
        refused = node.trigger("market")
        rejection = node.wait_event(refused, "rejected")
        assert "the IB gateway is disconnected" in rejection["reason"]
        assert "exec.while_disconnected: reject" in rejection["reason"]
        assert receiver.wait_for(f"order {refused} rejected", 10), receiver.titles()

        assert receiver.wait_for("the gateway may need a login", 20), receiver.titles()
        assert node.control("gateway")["phase"] == "login_required"
        assert readyz(node.base)["ready"] is False
        node.control("complete_2fa")
        wait_until(lambda: (r := readyz(node.base)) and r["ready"], 30, "ready after the login")
        after = node.trigger("market")
        node.wait_event(after, "filled")
        assert node.placed() == 2  # the rejected order never reached the gateway
        assert [e["event"] for e in node.events(refused)] == ["sent", "rejected"]
        code, _out, err = node.stop()
    finally:
        kill_group(node.proc.pid)
    assert code == 130, err[-3000:]
    assert wait_group_gone(node.proc.pid) == []
