"""IB account kinds and default ports (runner/ib/accounts.py)."""

from __future__ import annotations

import pytest

from runner.ib.accounts import account_kind, not_paper, port_contradicts, port_mode, port_name


@pytest.mark.parametrize(
    ("account", "kind"),
    [
        ("U1234567", "live"),
        ("F7654321", "live"),
        ("DU1234567", "paper"),
        ("DF765432", "paper"),
        ("", "unknown"),
        ("I123", "unknown"),
        ("du123", "unknown"),
    ],
)
def test_account_kind(account: str, kind: str) -> None:
    assert account_kind(account) == kind


def test_not_paper_keeps_live_and_unknown_ids_in_order() -> None:
    assert not_paper(["DU1", "U2", "DF3", "Z4", "F5"]) == ("U2", "Z4", "F5")
    assert not_paper([]) == ()


def test_ports() -> None:
    assert [port_mode(p) for p in (4001, 4002, 7496, 7497, 5000)] == ["live", "paper", "live", "paper", None]
    assert port_name(4002) == "4002 (IB Gateway paper)" and port_name(5000) == "5000"
    assert port_contradicts(4002, "paper") is None and port_contradicts(5000, "live") is None
    assert port_contradicts(4002, "live") == (
        "4002 (IB Gateway paper) is IB's paper-trading port, but the gateway logs in for live trading: "
        "a client that connects to it expecting paper trading would trade on a live account"
    )
