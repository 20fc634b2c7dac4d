"""Preflight: one TWS API handshake per client id before the node is built.

Nautilus retries a refused connection forever (with growing back-off) and reports a wrong
account only deep in its logs; a probe first turns each of those into one clear error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from runner.errors import AccountNotManaged, ClientIdInUse, GatewayUnreachable
from runner.model import Spec
from runner.model.gateway import DEFAULT_PORTS

PROBE_TIMEOUT = 5.0


def preflight(spec: Spec, host: str, port: int, environ: Mapping[str, str] | None = None) -> tuple:
    """Probe host:port with the data (and exec) client ids; return the managed accounts."""
    from runner.gateway.probe import probe_gateway

    environ = os.environ if environ is None else environ
    client_ids = [spec.data.client_id]
    if spec.exec_ is not None and spec.exec_.client_id not in client_ids:
        client_ids.append(spec.exec_.client_id)
    accounts: tuple[str, ...] = ()
    for client_id in client_ids:
        try:
            result = probe_gateway(host, port, client_id=client_id, timeout=PROBE_TIMEOUT)
        except GatewayUnreachable as error:
            raise GatewayUnreachable(f"{error}\n{_port_table(spec)}") from error
        except ClientIdInUse as error:
            raise ClientIdInUse(f"{error} ({_client_field(spec, client_id)})") from error
        accounts = result.managed_accounts
    if spec.exec_ is not None:
        _check_account(spec, accounts, environ)
    return accounts


def _check_account(spec: Spec, accounts: tuple[str, ...], environ: Mapping[str, str]) -> None:
    assert spec.exec_ is not None
    account = spec.exec_.account_id or environ.get("TWS_ACCOUNT")
    managed = ", ".join(accounts) or "none"
    if not account:
        raise AccountNotManaged(
            f"exec.account_id is not set and TWS_ACCOUNT is not in the environment; the gateway manages: {managed}"
        )
    if account not in accounts:
        source = "exec.account_id" if spec.exec_.account_id else "TWS_ACCOUNT"
        raise AccountNotManaged(
            f"{source} {account!r} is not among the gateway's managed accounts ({managed}); "
            "use one of those, or log the gateway into that account"
        )


def _client_field(spec: Spec, client_id: int) -> str:
    fields = []
    if spec.data.client_id == client_id:
        fields.append("data.client_id")
    if spec.exec_ is not None and spec.exec_.client_id == client_id:
        fields.append("exec.client_id")
    return " and ".join(fields)


def _port_table(spec: Spec) -> str:
    rows = [f"  {app:8} {mode:6} {port}" for (app, mode), port in DEFAULT_PORTS.items()]
    gw = spec.gateway
    origin = "gateway.port" if gw.port is not None else f"default for {gw.app}/{gw.trading_mode}"
    return "\n".join(
        [f"(port {gw.resolved_port}: {origin}; IB's default API ports:)", *rows]
        if gw.kind == "existing"
        else ["IB's default API ports:", *rows]
    )
