"""Safe restarts with the node's state on a real Redis, against `ibrun sim` as an existing gateway.

A node with a Redis cache places a filled market order and a resting limit order
(`examples/strategies/resting.py`), is stopped (SIGTERM) or killed (SIGKILL) mid-run, and restarts
from the same spec: its orders and position come back from Redis and reconcile with the simulated
broker; no order reaches the gateway twice (placeOrder requests counted at the simulator), none is
lost, and the summary tells the recovered orders from this run's.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.launch.helpers import REPO, StreamWatcher, ibrun_cmd, kill_group
from tests.launch.state_services import (
    REDIS_PASSWORD,
    RedisServer,
    SimGateway,
    redis_server,
    sim_gateway,
    wait_until,
)

pytestmark = pytest.mark.slow
__all__ = ["redis_server", "sim_gateway"]  # fixtures

SPEC = """\
    version: 1
    trader_id: {trader}
    gateway: {{host: 127.0.0.1, port: {port}}}
    instruments: {{load_ids: [AAPL.NASDAQ]}}
    data: {{client_id: 1}}
    exec: {{client_id: 2, account_id: DU123456}}
    node:
      logging: {{level: INFO}}
      cache:
        database: {{host: 127.0.0.1, port: {redis_port}, password: {{env: IBRUN_TEST_REDIS_PASSWORD}}}}
      exec_engine: {{reconciliation: true{exec_engine}}}
      timeouts: {{connection: 30, reconciliation: 15, portfolio: 5, disconnection: 3, post_stop: 1}}
      strategies:
        - path: examples.strategies.resting:RestingOrderStrategy
          config: {{instrument_id: AAPL.NASDAQ, order_id_tag: "001"}}
"""


def write_spec(tmp_path: Path, sim: SimGateway, redis: RedisServer, trader: str, exec_engine: str = "") -> Path:
    path = tmp_path / "restart.yaml"
    text = SPEC.format(trader=trader, port=sim.port, redis_port=redis.port, exec_engine=exec_engine)
    path.write_text(textwrap.dedent(text))
    return path


def start(spec: Path, *args: str) -> tuple[subprocess.Popen[str], StreamWatcher]:
    proc = subprocess.Popen(
        ibrun_cmd(str(spec), *args),
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "IBRUN_TEST_REDIS_PASSWORD": REDIS_PASSWORD},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    return proc, StreamWatcher(proc.stdout)


def finish(proc: subprocess.Popen[str], output: StreamWatcher, timeout: float = 90) -> tuple[int, str]:
    try:
        code = proc.wait(timeout=timeout)
    finally:
        kill_group(proc.pid)
    return code, output.text()


def first_run_placed_both(sim: SimGateway) -> bool:
    """The market order filled and the limit order resting, at the simulated broker."""
    statuses = sorted((order["type"], order["status"]) for order in sim.orders())
    return statuses == [("LMT", "Submitted"), ("MKT", "Filled")]


def kill_once_both_placed(spec: Path, sim: SimGateway) -> None:
    """Start a node and SIGKILL it as soon as the broker has both orders: no graceful stop, no
    flush of anything."""
    proc, _ = start(spec)
    try:
        wait_until(lambda: first_run_placed_both(sim), 60, "both orders at the broker")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        kill_group(proc.pid)


def fill_while_down(sim: SimGateway) -> None:
    """The market falls through the resting limit while the node is down: IB fills it."""
    sim.call("shock", symbol="AAPL", secType="STK", factor=0.5)
    wait_until(lambda: {order["status"] for order in sim.orders()} == {"Filled"}, 30, "the limit order filled")


def summary_of(text: str) -> str:
    """The end-of-run summary (the log before it, if there is none)."""
    start = text.find("ibrun summary")
    return text[start:] if start >= 0 else text[-4000:]


def recovered_line(text: str) -> str:
    found = re.search(r"orders recovered from the cache database: .*", text)
    assert found, text[-4000:]
    return found.group(0)


def test_sigterm_then_restart_resumes_orders_from_redis(
    tmp_path: Path, sim_gateway: SimGateway, redis_server: RedisServer
) -> None:
    spec = write_spec(tmp_path, sim_gateway, redis_server, "REDIS-TERM-001")
    proc, output = start(spec)
    try:
        assert output.wait_for("PLACED a market order", 60), output.text()[-4000:]
        wait_until(lambda: first_run_placed_both(sim_gateway), 30, "both orders at the broker")
        os.killpg(proc.pid, signal.SIGTERM)
        code, first = finish(proc, output)
    finally:
        kill_group(proc.pid)
    assert code == 130, first[-4000:]
    assert "orders: 2 (accepted 1, filled 1); fills: 1" in first
    assert len(redis_server.keys("trader-REDIS-TERM-001:orders:*")) == 2

    proc, output = start(spec, "--duration", "2")
    code, second = finish(proc, output)
    assert code == 0, second[-4000:]
    assert "RESUMED 2 orders from the cache" in second
    assert "PLACED" not in second
    assert "orders this run: 0; fills: 0" in second, summary_of(second)
    assert recovered_line(second).startswith("orders recovered from the cache database: 2 (accepted 1, filled 1)")
    assert re.search(r"position: AAPL\.NASDAQ LONG 10 @ \S+ .*\[recovered\]", second), second[-3000:]
    assert sim_gateway.place_order_requests() == 2  # nothing submitted twice
    assert REDIS_PASSWORD not in first + second
    assert first_run_placed_both(sim_gateway)  # nothing lost or cancelled: the limit order still rests


def test_sigkill_mid_run_fill_while_down_restart_reconciles(
    tmp_path: Path, sim_gateway: SimGateway, redis_server: RedisServer
) -> None:
    spec = write_spec(tmp_path, sim_gateway, redis_server, "REDIS-KILL-001")
    kill_once_both_placed(spec, sim_gateway)
    fill_while_down(sim_gateway)

    proc, output = start(spec, "--duration", "2")
    code, second = finish(proc, output)
    assert code == 0, second[-4000:]
    assert "RESUMED 2 orders from the cache" in second
    assert "PLACED" not in second
    assert "orders this run: 0; fills: 0" in second, summary_of(second)
    # The fill that happened while the node was down was applied to its own, recovered order. How
    # much of the first run reached Redis before the kill varies (nautilus writes from a background
    # queue): the market order's fill may be applied again from IB's report, never twice.
    assert re.match(r"orders recovered .*: 2 \(filled 2; [12] fills? this run\)", recovered_line(second))
    assert "InvalidStateTrigger" not in second
    assert re.search(r"position: AAPL\.NASDAQ LONG 20 @ ", second), second[-3000:]
    assert sim_gateway.place_order_requests() == 2
    assert len(sim_gateway.orders()) == 2


def test_orders_a_kill_left_initialized_are_settled_by_ib_not_sent_again(
    tmp_path: Path, sim_gateway: SimGateway, redis_server: RedisServer
) -> None:
    """The worst moment for a kill: the orders were created (INITIALIZED saved) and sent, nothing
    after that reached Redis. Made certain by cutting the saved state back to that moment; plus a
    third order the strategy had created but never sent. IB's reports settle the two it has (one
    filled while the node was down) and nautilus' in-flight check rejects the one it never saw."""
    fast_inflight = (
        ", reconciliation_startup_delay_secs: 0.1, inflight_check_interval_ms: 200,"
        " inflight_check_threshold_ms: 500, inflight_check_retries: 1"
    )
    spec = write_spec(tmp_path, sim_gateway, redis_server, "REDIS-INIT-001", fast_inflight)
    kill_once_both_placed(spec, sim_gateway)
    never_sent = cut_back_to_initialized(redis_server, "trader-REDIS-INIT-001")
    fill_while_down(sim_gateway)

    proc, output = start(spec, "--duration", "5")  # the in-flight check needs ~1 s of it: room under load
    code, second = finish(proc, output)
    assert code == 0, second[-4000:]
    assert "3 recovered order(s) were INITIALIZED" in second, second[-4000:]
    assert "InvalidStateTrigger" not in second
    assert "PLACED" not in second
    assert re.match(r"orders recovered .*: 3 \(filled 2, rejected 1; 2 fills this run\)", recovered_line(second))
    assert f"ClientOrderId({never_sent!r}) exceeded max inflight retries" in second
    assert re.search(r"position: AAPL\.NASDAQ LONG 20 @ ", second), second[-3000:]
    assert sim_gateway.place_order_requests() == 2  # settling sent nothing
    assert len(sim_gateway.orders()) == 2


def cut_back_to_initialized(redis: RedisServer, prefix: str) -> str:
    """Keep only each order's OrderInitialized event and no position, as a kill right after the
    orders were created leaves Redis; add a copy of one as an order never sent. Its client order id."""
    import msgspec
    import redis as redis_py

    raw = redis_py.Redis(port=redis.port, password=redis.password, protocol=2)
    order_keys = sorted(key.decode() for key in raw.keys(f"{prefix}:orders:*"))
    assert len(order_keys) == 2, order_keys
    for key in order_keys:
        raw.ltrim(key, 0, 0)
    for key in raw.keys(f"{prefix}:positions:*") + raw.keys(f"{prefix}:index:*position*"):
        raw.delete(key)
    initialized = msgspec.msgpack.decode(raw.lindex(order_keys[-1], 0))
    assert initialized["type"] == "OrderInitialized", initialized["type"]
    never_sent = initialized["client_order_id"][:-1] + "9"
    initialized |= {"client_order_id": never_sent, "event_id": "8f6a3c2e-1d4b-4e5f-9a7b-0c1d2e3f4a5b"}
    raw.rpush(f"{prefix}:orders:{never_sent}", msgspec.msgpack.encode(initialized))
    raw.sadd(f"{prefix}:index:orders", never_sent)
    return never_sent


def test_orders_a_kill_left_unsaved_come_back_from_the_journal_not_sent_again(
    tmp_path: Path, sim_gateway: SimGateway, redis_server: RedisServer
) -> None:
    """The kill came after IB had the orders and before nautilus' background writer saved any of
    them (made certain by deleting what it saved). Without ibrun's journal the strategy would find
    no orders and place both again; with it they are restored, and IB's reports settle them."""
    spec = write_spec(tmp_path, sim_gateway, redis_server, "REDIS-LOST-001")
    kill_once_both_placed(spec, sim_gateway)
    journal = "trader-REDIS-LOST-001:ibrun:journal"
    client = redis_server.client()
    assert client.hlen(journal) == 2  # written before each order went to IB
    saved = [key for key in redis_server.keys("trader-REDIS-LOST-001:*") if key != journal]
    client.delete(*[key for key in saved if ":orders:" in key or ":positions:" in key or ":index:" in key])
    fill_while_down(sim_gateway)

    proc, output = start(spec, "--duration", "2")
    code, second = finish(proc, output)
    assert code == 0, second[-4000:]
    assert "2 order(s) had gone to IB (or were about to) when the node stopped" in second, second[-4000:]
    assert "RESUMED 2 orders from the cache" in second
    assert "PLACED" not in second
    assert re.match(r"orders recovered .*: 2 \(filled 2; 2 fills this run\)", recovered_line(second))
    assert re.search(r"position: AAPL\.NASDAQ LONG 20 @ ", second), second[-3000:]
    assert sim_gateway.place_order_requests() == 2  # nothing sent twice
    assert len(sim_gateway.orders()) == 2
