"""`exec.while_disconnected` on a real nautilus TradingNode against the simulator (real TCP).

The gap it closes: the gateway drops the node; nautilus' IB client notices at once that its
socket is gone, but its execution client refuses orders only after its connection watchdog (a 1 s
period) degraded it. An order submitted in between went to the closed socket: ibapi answered 504
to nobody, the order stayed SUBMITTED, the gateway never saw it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from nautilus_trader.model.enums import OrderSide, OrderStatus, TimeInForce
from nautilus_trader.model.identifiers import InstrumentId

from runner.launch.order_gate import gate_orders
from runner.sim.control import SimControl
from runner.sim.launcher import start_simulator
from tests.sim.node_harness import node_config, run_scenario, wait_until
from tests.sim.sim_settings import sim_config

pytestmark = pytest.mark.slow
AAPL = InstrumentId.from_str("AAPL.NASDAQ")
PLACE_ORDER = "3"


@pytest.fixture
def sim():
    with start_simulator(sim_config(), startup_timeout=20) as process:
        yield process


def placed(control: SimControl) -> int:
    return int(control.call("requests")["counts"].get(PLACE_ORDER, 0))


def ib_client(node):
    [client] = [c for c in node.kernel.exec_engine._clients.values() if hasattr(c, "_client")]
    return client._client


async def drop_and_wait_for_the_gap(control: SimControl, node) -> None:
    """Cut the node's connection; return once its IB client knows the socket is gone."""
    ib = ib_client(node)
    control.drop(client_id=ib._client_id)
    await wait_until(lambda: not ib._is_ib_connected.is_set(), 10, "the reader to see the socket closed")


def market(strategy):
    instrument = strategy.cache.instrument(AAPL)
    return strategy.order_factory.market(AAPL, OrderSide.BUY, instrument.make_qty(Decimal(1)))


def rejections(strategy) -> dict[str, str]:
    return {str(e.client_order_id): e.reason for e in strategy.seen["order:OrderRejected"]}


def test_reject_refuses_an_order_sent_before_nautilus_noticed(sim) -> None:
    with SimControl(sim.control_port) as control:

        async def scenario(node, strategy) -> bool:
            gate_orders(node, "reject", 60.0)
            strategy.subscribe_quote_ticks(AAPL)
            await wait_until(lambda: strategy.seen[f"quote:{AAPL}"], 10, "quotes")
            before = placed(control)
            await drop_and_wait_for_the_gap(control, node)
            order = market(strategy)
            strategy.submit_order(order)
            await wait_until(lambda: str(order.client_order_id) in rejections(strategy), 10, "the rejection")
            reason = rejections(strategy)[str(order.client_order_id)]
            assert "the IB gateway is disconnected" in reason and "exec.while_disconnected: reject" in reason
            assert order.status == OrderStatus.REJECTED
            assert placed(control) == before
            return True

        assert run_scenario(node_config(sim.port, frozenset({"AAPL.NASDAQ"}), client_id=7), scenario)


def test_hold_sends_once_after_the_reconnect_and_a_cancel_withdraws(sim) -> None:
    with SimControl(sim.control_port) as control:

        async def scenario(node, strategy) -> bool:
            gate_orders(node, "hold", 60.0)
            strategy.subscribe_quote_ticks(AAPL)
            await wait_until(lambda: strategy.seen[f"quote:{AAPL}"], 10, "quotes")
            before = placed(control)
            await drop_and_wait_for_the_gap(control, node)
            held = market(strategy)
            strategy.submit_order(held)
            instrument = strategy.cache.instrument(AAPL)
            withdrawn = strategy.order_factory.limit(
                AAPL, OrderSide.BUY, instrument.make_qty(Decimal(1)), instrument.make_price(1.0), TimeInForce.GTC
            )
            strategy.submit_order(withdrawn)
            strategy.cancel_order(withdrawn)
            await wait_until(lambda: held.status == OrderStatus.FILLED, 30, "the held order filled after the reconnect")
            await wait_until(lambda: str(withdrawn.client_order_id) in rejections(strategy), 10, "the withdrawal")
            assert "cancelled before it was sent" in rejections(strategy)[str(withdrawn.client_order_id)]
            assert placed(control) == before + 1  # the held order, once; the withdrawn one never
            assert [o["status"] for o in control.call("orders")["orders"]].count("Filled") == 1
            return True

        assert run_scenario(node_config(sim.port, frozenset({"AAPL.NASDAQ"}), client_id=8), scenario)


def test_hold_rejects_after_the_timeout_while_the_gateway_waits_for_a_login(sim) -> None:
    with SimControl(sim.control_port) as control:

        async def scenario(node, strategy) -> bool:
            gate_orders(node, "hold", 0.5)
            await wait_until(lambda: strategy.cache.instrument(AAPL), 10, "the instrument")
            control.call("restart", seconds=0, relogin=True)
            ib = ib_client(node)
            await wait_until(lambda: not ib._is_ib_connected.is_set(), 10, "the disconnect")
            order = market(strategy)
            strategy.submit_order(order)
            await wait_until(lambda: str(order.client_order_id) in rejections(strategy), 10, "the rejection")
            assert "did not come back within 0.5s" in rejections(strategy)[str(order.client_order_id)]
            assert placed(control) == 0
            control.call("complete_2fa")
            await wait_until(lambda: ib.is_ready, 30, "the reconnect after the login")
            return True

        assert run_scenario(node_config(sim.port, frozenset({"AAPL.NASDAQ"}), client_id=9), scenario)
