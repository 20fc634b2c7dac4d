"""Faults on demand through the control port, observed by a nautilus TradingNode."""

from __future__ import annotations

import time

import pytest
from nautilus_trader.model.identifiers import InstrumentId
from node_harness import node_config, run_scenario, wait_until

pytestmark = pytest.mark.slow
AAPL = InstrumentId.from_str("AAPL.NASDAQ")


def test_dropped_connection_reconnects_and_data_resumes(sim, control):
    async def scenario(node, strategy):
        strategy.subscribe_quote_ticks(AAPL)
        quotes = strategy.seen[f"quote:{AAPL}"]
        await wait_until(lambda: len(quotes) > 3, 10, "first quotes")
        [before] = [s["peer"] for s in control.status()["sessions"]]
        assert control.drop(client_id=7)["dropped"] == [7]
        # Quotes already read before the drop can still be processed after it: wait for the new
        # connection (a new peer address) first, then for quotes stamped after it.
        await wait_until(lambda: _peers(control) not in ([], [before]), 30, "the node to reconnect")
        assert len(_peers(control)) == 1
        reconnected_at = time.time_ns()
        await wait_until(lambda: any(q.ts_init > reconnected_at for q in quotes), 30, "quotes after reconnect")

        control.call("connectivity_lost")
        control.call("farm", kind="market", up=False)
        control.call("farm", kind="market", up=True)
        control.call("connectivity_restored", data_lost=False)
        restored_at = time.time_ns()
        await wait_until(lambda: any(q.ts_init > restored_at for q in quotes), 15, "quotes after connectivity restored")
        return True

    assert run_scenario(node_config(sim.port, frozenset({"AAPL.NASDAQ"}), client_id=7), scenario)


def _peers(control) -> list[str]:
    return [session["peer"] for session in control.status()["sessions"]]


def test_control_interface_reports_errors(control):
    with pytest.raises(RuntimeError, match="unknown cmd"):
        control.call("no-such-command")
    assert control.call("ping")["pong"] is True
    assert control.call("delay", ms=0)["ok"]
