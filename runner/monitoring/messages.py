"""The words of each alert (pure). Messages name instruments, clients, orders and durations, never
an address, an account credential or a URL."""

from __future__ import annotations

from runner.monitoring.alerting import Alert
from runner.monitoring.stats import Rejection
from runner.monitoring.watchdog import Decision


def disconnected(trader_id: str, client_id: int, roles: str) -> Alert:
    return Alert(
        "disconnect",
        f"client {client_id}",
        f"{trader_id}: IB client {client_id} disconnected",
        f"The {roles} connection to the gateway was lost; ibrun keeps reconnecting.",
        "failure",
    )


def reconnected(trader_id: str, client_id: int, roles: str, down_for: float) -> Alert:
    return Alert(
        "reconnect",
        f"client {client_id}",
        f"{trader_id}: IB client {client_id} reconnected",
        f"The {roles} connection is back after {down_for:.0f}s; every subscription must now deliver again.",
        "success",
    )


def login_needed(trader_id: str, client_id: int, down_for: float) -> Alert:
    return Alert(
        "login_needed",
        f"client {client_id}",
        f"{trader_id}: the gateway may need a login",
        f"The gateway has refused IB client {client_id} for {_duration(down_for)}: it probably needs a fresh "
        "login (IB's weekly re-authentication with 2FA). Log in; ibrun reconnects by itself.",
        "failure",
    )


def stale(trader_id: str, decision: Decision) -> Alert:
    watch = decision.watch
    return Alert(
        "stale_data",
        watch.key,
        f"{trader_id}: {watch.key} is stale",
        f"No data for {decision.silent_for:.0f}s while the market is open (expected every {watch.expected:g}s); "
        "ibrun re-subscribes it.",
        "warning",
    )


def resumed(trader_id: str, decision: Decision) -> Alert:
    watch = decision.watch
    return Alert(
        "data_resumed",
        watch.key,
        f"{trader_id}: {watch.key} resumed",
        f"Data arrives again after {decision.silent_for:.0f}s of silence.",
        "success",
    )


def rejected(trader_id: str, rejection: Rejection) -> Alert:
    who = "denied by the risk engine" if rejection.denied else "rejected"
    return Alert(
        "order_rejected",
        rejection.client_order_id,
        f"{trader_id}: order {rejection.client_order_id} {who}",
        f"{rejection.instrument}: {rejection.reason}",
        "warning",
    )


def mismatch(trader_id: str, what: str) -> Alert:
    return Alert(
        "reconciliation_mismatch",
        what,
        f"{trader_id}: reconciliation mismatch",
        f"{what[:1].upper()}{what[1:]}: check the account in TWS before trusting the node's positions.",
        "failure",
    )


def node_stopped(trader_id: str, reason: str, interrupted: bool) -> Alert:
    return Alert(
        "node_stopped",
        "node",
        f"{trader_id}: node stopped",
        f"The node stopped ({reason}).",
        "warning" if interrupted else "info",
    )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
