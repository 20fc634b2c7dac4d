"""IB account ids and IB's default API ports: which ones are live (real money) and which paper.

A gateway's login decides what it trades: the managed-accounts message at connect lists the
accounts, and their ids say the kind. Live individual accounts start with ``U``, live advisor
(FA) master accounts with ``F``; their paper twins with ``DU`` and ``DF``. Anything else is not a
known paper id, so a safety check counts it as possibly live.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

AccountKind = Literal["live", "paper", "unknown"]

PAPER_PREFIXES = ("DU", "DF")
LIVE_PREFIXES = ("U", "F")

# IB's default API ports, by application and trading mode (the guide's "Default Ports" table).
DEFAULT_PORTS: dict[tuple[str, str], int] = {
    ("tws", "paper"): 7497,
    ("tws", "live"): 7496,
    ("gateway", "paper"): 4002,
    ("gateway", "live"): 4001,
}
LIVE_PORTS = frozenset(port for (_, mode), port in DEFAULT_PORTS.items() if mode == "live")
PAPER_PORTS = frozenset(port for (_, mode), port in DEFAULT_PORTS.items() if mode == "paper")


def account_kind(account_id: str) -> AccountKind:
    """``paper`` for DU…/DF…, ``live`` for U…/F…, else ``unknown``."""
    if account_id.startswith(PAPER_PREFIXES):
        return "paper"
    if account_id.startswith(LIVE_PREFIXES):
        return "live"
    return "unknown"


def not_paper(accounts: Iterable[str]) -> tuple[str, ...]:
    """The accounts that may trade real money: live ones and ids of no known kind."""
    return tuple(account for account in accounts if account_kind(account) != "paper")


def port_mode(port: int) -> Literal["paper", "live"] | None:
    """The trading mode IB's default port ``port`` belongs to (None: not a default API port)."""
    if port in LIVE_PORTS:
        return "live"
    return "paper" if port in PAPER_PORTS else None


def port_name(port: int) -> str:
    """``4002 (IB Gateway paper)``: a default port with what it is for."""
    for (app, mode), default in DEFAULT_PORTS.items():
        if default == port:
            return f"{port} ({'TWS' if app == 'tws' else 'IB Gateway'} {mode})"
    return str(port)


def port_contradicts(port: int, trading_mode: str) -> str | None:
    """Why ``port`` does not fit a login for ``trading_mode`` (None: it fits, or is no default port).

    A live gateway on a paper port (or the reverse) misleads every client that trusts IB's port
    table: a spec saying paper would trade a live account through it."""
    mode = port_mode(port)
    if mode is None or mode == trading_mode:
        return None
    return (
        f"{port_name(port)} is IB's {mode}-trading port, but the gateway logs in for {trading_mode} "
        f"trading: a client that connects to it expecting {mode} trading would trade on a "
        f"{trading_mode} account"
    )
