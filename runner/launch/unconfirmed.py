"""Orders a killed node left INITIALIZED in its cache database: put them where reconciliation looks.

nautilus writes an order's events to Redis from a background writer. A node killed (SIGKILL, OOM,
power) just after placing an order can leave it INITIALIZED in the database although IB has it,
and may have filled it since: the OrderSubmitted/OrderAccepted writes were still queued. Restarted
on that cache, nautilus cannot move the order on: INITIALIZED → FILLED is not a transition it
allows, so IB's fill is refused for the order (yet counted in the position) and the order stays
INITIALIZED for good. A strategy that sees its order "never submitted" may send it again.

INITIALIZED in a recovered cache means "maybe sent". ibrun marks such orders SUBMITTED before the
node starts (an OrderSubmitted event, written back to the database), which is exactly nautilus'
word for "sent, not confirmed": IB's reports then move them on (accepted, filled), and an order IB
does not know is rejected by nautilus' in-flight check once its queries (IB's open orders) have
not found it `exec_engine.inflight_check_retries` times. Nothing is sent to IB. The event is
stamped now, so the check waits its threshold after the start-up reconciliation, which has
applied the fills IB reports at connect. IB reports executions for a limited time only (IB Gateway:
the current day's); an order it filled before that and no longer lists as open is rejected, and
reconciliation aligns the position with IB's as for any fill it did not see.
"""

from __future__ import annotations

import sys
from typing import IO, Any


def mark_unconfirmed_submitted(node: Any, stream: IO[str] | None = None) -> list[str]:
    """Mark this node's INITIALIZED orders from the cache database SUBMITTED; their client order ids."""
    from nautilus_trader.model.enums import OrderStatus

    cache = node.cache
    marked = []
    for order in cache.orders():
        if order.status != OrderStatus.INITIALIZED or order.strategy_id.value == "EXTERNAL":
            continue
        account_id = _account_for(node, order)
        if account_id is None:  # no execution client routes it: nothing could have sent it
            continue
        order.apply(_submitted(node, order, account_id))
        cache.update_order(order)
        marked.append(order.client_order_id.value)
    if marked:
        print(
            f"ibrun: {len(marked)} recovered order(s) were INITIALIZED (the node was stopped before their "
            f"later events were saved): marked SUBMITTED so that IB's reports settle them "
            f"(one IB does not know is rejected by the in-flight check): {', '.join(marked)}",
            file=stream or sys.stderr,
            flush=True,
        )
    return marked


def _account_for(node: Any, order: Any) -> Any:
    try:
        clients = node.kernel.exec_engine.get_clients_for_orders([order])
    except KeyError:  # the cache names an execution client this node does not have
        return None
    accounts = [client.account_id for client in clients if client.account_id is not None]
    return accounts[0] if accounts else None


def _submitted(node: Any, order: Any, account_id: Any) -> Any:
    from nautilus_trader.core.uuid import UUID4
    from nautilus_trader.model.events import OrderSubmitted

    now = node.kernel.clock.timestamp_ns()
    return OrderSubmitted(
        trader_id=order.trader_id,
        strategy_id=order.strategy_id,
        instrument_id=order.instrument_id,
        client_order_id=order.client_order_id,
        account_id=account_id,
        event_id=UUID4(),
        ts_event=now,
        ts_init=now,
    )
