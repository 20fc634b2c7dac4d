"""Orders a strategy sends while the gateway is disconnected: `exec.while_disconnected`.

nautilus' IB execution client refuses a command only once its connection watchdog (a 1 s period)
has degraded the IB client. In between, an order goes to a closed socket: ibapi answers 504 "not
connected" to nobody, the order stays SUBMITTED and the gateway never saw it — lost. ibrun closes
that gap and applies the spec's rule:

- `reject`: a command is rejected at once when the IB client is not connected and ready, with a
  reason that says so (nautilus' own rejection path: OrderRejected, OrderModifyRejected,
  OrderCancelRejected).
- `hold`: commands wait, in the order they were sent, until the client is connected and ready
  again — so an order is placed with an id the gateway handed out after the reconnect, once — and
  are rejected after `hold_timeout` seconds or when the node stops first. Cancelling an order that
  was not sent yet withdraws it: it is rejected as never sent, nothing reaches IB.

What is private to nautilus' IB adapter (checked against nautilus_trader 1.231) and used here: the
execution client's `_submit_order`, `_submit_order_list`, `_modify_order`, `_cancel_order`,
`_cancel_all_orders` coroutines and `_ensure_client_ready_for_order_request`; the IB client's
`_is_client_ready` and `_is_ib_connected` events and `_eclient.isConnected()`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import IO, Any

HELD_COMMANDS = ("_submit_order", "_submit_order_list", "_modify_order", "_cancel_order", "_cancel_all_orders")
RECHECK = 0.05
"""Seconds between checks while the client says ready but its socket is not connected yet."""


class OrderGate:
    def __init__(self, exec_client: Any, policy: str, hold_timeout: float, stream: IO[str] | None = None) -> None:
        self.exec_client, self.ib = exec_client, exec_client._client
        self.policy, self.hold_timeout = policy, hold_timeout
        self._stream = stream or sys.stderr
        self._turn = asyncio.Lock()  # FIFO: held commands leave in the order they came
        self._refusal: str | None = None
        self._held: set[str] = set()
        self._withdrawn: set[str] = set()

    def attach(self) -> None:
        self.exec_client._ensure_client_ready_for_order_request = self._check
        if self.policy == "hold":
            for name in HELD_COMMANDS:
                setattr(self.exec_client, name, self._holding(name, getattr(self.exec_client, name)))

    def connected(self) -> bool:
        ib = self.ib
        return bool(ib.is_ready and ib._is_ib_connected.is_set() and ib._eclient.isConnected())

    def _check(self, request: str) -> None:
        """nautilus calls it before sending a command; a ValueError makes it reject the command."""
        if self._refusal is not None:
            raise ValueError(self._refusal)
        if not self.connected():
            raise ValueError(
                f"not sent: the IB gateway is disconnected; refusing to {request} (exec.while_disconnected: reject)"
            )

    def _holding(self, name: str, original: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        async def held(command: Any) -> None:
            arrived = time.monotonic()
            order_id = _submitted_order_id(name, command)
            if name == "_cancel_order" and self._unsent(command.client_order_id):
                self._withdrawn.add(str(command.client_order_id))  # it will never be sent
                return
            if order_id is not None:
                self._held.add(order_id)
            try:
                async with self._turn:
                    reason = await self._wait_until_connected(name, arrived)
                    if order_id in self._withdrawn:
                        reason = "not sent: cancelled before it was sent (exec.while_disconnected: hold)"
                    await self._run(original, command, reason)
            except asyncio.CancelledError:
                reason = "not sent: the node stopped before the IB gateway came back (exec.while_disconnected: hold)"
                await self._run(original, command, reason)  # nautilus' own rejection path
                raise
            finally:
                self._held.discard(order_id or "")
                self._withdrawn.discard(order_id or "")

        return held

    def _unsent(self, client_order_id: Any) -> bool:
        """Held here, or not even here yet: nautilus' engines may pass a cancel on before the
        submit it follows (the submit waits in their queue), so the order is still INITIALIZED."""
        if str(client_order_id) in self._held:
            return True
        order = self.exec_client._cache.order(client_order_id)
        return order is not None and order.status_string() == "INITIALIZED"

    async def _run(self, original: Callable[[Any], Awaitable[None]], command: Any, refusal: str | None) -> None:
        self._refusal = refusal
        try:
            await original(command)
        finally:
            self._refusal = None

    async def _wait_until_connected(self, name: str, arrived: float) -> str | None:
        """None once connected and ready; the reason to reject with after `hold_timeout`."""
        if self.connected():
            return None
        what = name.lstrip("_").replace("_", " ")
        self._say(f"the IB gateway is disconnected: holding {what} (up to {self.hold_timeout:g}s)")
        deadline = arrived + self.hold_timeout
        while not self.connected():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._say(f"{what}: the gateway did not come back within {self.hold_timeout:g}s: rejected")
                return (
                    f"not sent: the IB gateway did not come back within {self.hold_timeout:g}s"
                    " (exec.while_disconnected: hold, hold_timeout)"
                )
            try:
                await asyncio.wait_for(self.ib._is_client_ready.wait(), remaining)
            except TimeoutError:
                continue
            if not self.connected():
                await asyncio.sleep(RECHECK)
        self._say(f"the IB gateway is back: sending the held {what} after {time.monotonic() - arrived:.1f}s")
        return None

    def _say(self, text: str) -> None:
        print(f"ibrun: {text}", file=self._stream, flush=True)


def _submitted_order_id(name: str, command: Any) -> str | None:
    return str(command.order.client_order_id) if name == "_submit_order" else None


def gate_orders(node: Any, policy: str, hold_timeout: float) -> list[OrderGate]:
    """Apply `exec.while_disconnected` to every IB execution client of the node."""
    gates = []
    for client in node.kernel.exec_engine._clients.values():
        if hasattr(client, "_ensure_client_ready_for_order_request") and hasattr(client, "_client"):
            gate = OrderGate(client, policy, hold_timeout)
            gate.attach()
            gates.append(gate)
    return gates
