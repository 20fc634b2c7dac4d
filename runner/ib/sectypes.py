"""IB's security types (`Contract.secType`) that a spec's contracts and load_ids may name."""

from __future__ import annotations

from typing import Literal

SecType = Literal[
    "STK",
    "CASH",
    "OPT",
    "FUT",
    "FOP",
    "CONTFUT",
    "CRYPTO",
    "CFD",
    "CMDTY",
    "IND",
    "BOND",
    "WAR",
    "FUND",
    "BAG",
]
