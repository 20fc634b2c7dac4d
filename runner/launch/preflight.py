"""Preflight: one TWS API handshake per client id before the node is built.

Nautilus retries a refused connection forever (with growing back-off) and reports a wrong
account only deep in its logs; a probe first turns each of those into one clear error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from runner.errors import AccountNotManaged, ClientIdInUse, GatewayUnreachable
from runner.ib.accounts import DEFAULT_PORTS
from runner.model import Spec

if TYPE_CHECKING:
    from runner.launch.interlock import Interlock

PROBE_TIMEOUT = 5.0


def preflight(
    spec: Spec,
    host: str,
    port: int,
    environ: Mapping[str, str] | None = None,
    interlock: Interlock | None = None,
) -> tuple[str, ...]:
    """Probe host:port with the data (and exec) client ids; return the managed accounts.

    The accounts go through the live ``interlock`` first (a live login behind a spec that says
    paper is refused as live, exit 3), then the exec account must be one of them (exit 7)."""
    from runner.gateway.probe import probe_gateway

    environ = os.environ if environ is None else environ
    accounts: tuple[str, ...] = ()
    for client_id, fields in client_ids(spec).items():
        try:
            result = probe_gateway(host, port, client_id=client_id, timeout=PROBE_TIMEOUT)
        except GatewayUnreachable as error:
            raise GatewayUnreachable(f"{error}\n{port_table(spec)}") from error
        except ClientIdInUse as error:
            raise ClientIdInUse(f"{error} ({fields})") from error
        accounts = result.managed_accounts
    if interlock is not None:
        interlock.after_handshake(accounts, f"{host}:{port}")
    if spec.exec_ is not None:
        _check_account(spec.exec_.account_id, accounts, environ)
    return accounts


def client_ids(spec: Spec) -> dict[int, str]:
    """Each client id the spec uses → the fields naming it, e.g. `data.client_id and exec.client_id`."""
    fields = {"data.client_id": spec.data.client_id}
    if spec.exec_ is not None:
        fields["exec.client_id"] = spec.exec_.client_id
    return {
        client_id: " and ".join(name for name, value in fields.items() if value == client_id)
        for client_id in dict.fromkeys(fields.values())
    }


def port_table(spec: Spec) -> str:
    """IB's default API ports, appended to a "gateway unreachable" error."""
    rows = [f"  {app:8} {mode:6} {port}" for (app, mode), port in DEFAULT_PORTS.items()]
    gw = spec.gateway
    if gw.kind != "existing":
        return "\n".join(["IB's default API ports:", *rows])
    origin = "gateway.port" if gw.port is not None else f"default for {gw.app}/{gw.trading_mode}"
    return "\n".join([f"(port {gw.resolved_port}: {origin}; IB's default API ports:)", *rows])


def _check_account(account_id: str | None, accounts: tuple[str, ...], environ: Mapping[str, str]) -> None:
    account = account_id or environ.get("TWS_ACCOUNT")
    managed = ", ".join(accounts) or "none"
    if not account:
        raise AccountNotManaged(
            f"exec.account_id is not set and TWS_ACCOUNT is not in the environment; the gateway manages: {managed}"
        )
    if account not in accounts:
        source = "exec.account_id" if account_id else "TWS_ACCOUNT"
        raise AccountNotManaged(
            f"{source} {account!r} is not among the gateway's managed accounts ({managed}); "
            "use one of those, or log the gateway into that account"
        )
