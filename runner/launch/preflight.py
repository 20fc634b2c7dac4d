"""Preflight: one TWS API handshake per client id before the node is built.

Nautilus retries a refused connection forever (with growing back-off) and reports a wrong
account only deep in its logs; a probe first turns each of those into one clear error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from runner.errors import AccountNotManaged, ClientIdInUse, GatewayUnreachable
from runner.launch.plan import LaunchPlan

PROBE_TIMEOUT = 5.0


def preflight(plan: LaunchPlan, host: str, port: int, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Probe host:port with the data (and exec) client ids; return the managed accounts."""
    from runner.gateway.probe import probe_gateway

    environ = os.environ if environ is None else environ
    accounts: tuple[str, ...] = ()
    for probe in plan.probes:
        try:
            result = probe_gateway(host, port, client_id=probe.client_id, timeout=PROBE_TIMEOUT)
        except GatewayUnreachable as error:
            raise GatewayUnreachable(f"{error}\n{plan.port_table}") from error
        except ClientIdInUse as error:
            raise ClientIdInUse(f"{error} ({probe.fields})") from error
        accounts = result.managed_accounts
    if plan.has_exec:
        _check_account(plan.account_id, accounts, environ)
    return accounts


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
