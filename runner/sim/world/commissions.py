"""Commissions in the shape of IBKR Pro's tiered schedule: a rate that falls with the account's
volume this month, a minimum and a maximum per order, and third-party fees (exchange,
clearing, regulatory) on top. Per execution, the order's total so far is recomputed and the
difference charged, so the minimum is paid once per order, as IB does.

Rates (USD; IB publishes them on its "Commissions" pages, tiers by monthly volume):
stocks 0.0035/0.0020/0.0015/0.0010/0.0005 per share (≤300k, ≤3M, ≤20M, ≤100M, more shares),
min 0.35, max 1 % of the trade value, + exchange 0.0030 (removing liquidity) or -0.0020
(adding), clearing 0.00020 per share, on sales SEC 0.0000278 x value and FINRA TAF 0.000166
per share (max 8.30); options 0.65/0.50/0.25/0.15 per contract (≤10k, ≤50k, ≤100k, more),
min 1.00, + exchange 0.20 and clearing 0.02; futures 0.85/0.65/0.45/0.25 per contract
(≤1k, ≤10k, ≤20k, more) + exchange 1.28 and regulatory 0.02; forex 0.20/0.15/0.10/0.08 basis
points of value (≤1B, ≤2B, ≤5B, more), min 2.00; crypto 0.18 %/0.15 %/0.12 % of value
(≤100k, ≤1M, more), min 1.75, max 1 %; anything else 0.01 % of value, min 1.00.
"""

from __future__ import annotations

from dataclasses import dataclass

Tiers = tuple[tuple[float, float], ...]
"""(monthly volume up to, rate) — the last tier's bound is infinite."""

_INF = float("inf")


@dataclass(frozen=True, slots=True)
class Schedule:
    per: str
    """"unit" (share/contract) or "value" (of the trade value)."""
    tiers: Tiers
    minimum: float
    maximum_share_of_value: float | None
    fee_per_unit_taking: float = 0.0
    fee_per_unit_adding: float = 0.0
    clearing_per_unit: float = 0.0


SCHEDULES = {
    "STK": Schedule(
        "unit",
        ((300_000, 0.0035), (3_000_000, 0.0020), (20_000_000, 0.0015), (100_000_000, 0.0010), (_INF, 0.0005)),
        0.35,
        0.01,
        fee_per_unit_taking=0.0030,
        fee_per_unit_adding=-0.0020,
        clearing_per_unit=0.00020,
    ),
    "OPT": Schedule(
        "unit", ((10_000, 0.65), (50_000, 0.50), (100_000, 0.25), (_INF, 0.15)), 1.00, None, 0.20, 0.20, 0.02
    ),
    "FUT": Schedule("unit", ((1_000, 0.85), (10_000, 0.65), (20_000, 0.45), (_INF, 0.25)), 0.0, None, 1.28, 1.28, 0.02),
    "CASH": Schedule("value", ((1e9, 0.00002), (2e9, 0.000015), (5e9, 0.00001), (_INF, 0.000008)), 2.00, None),
    "CRYPTO": Schedule("value", ((100_000, 0.0018), (1_000_000, 0.0015), (_INF, 0.0012)), 1.75, 0.01),
}
SCHEDULES["FOP"] = SCHEDULES["FUT"]
DEFAULT = Schedule("value", ((_INF, 0.0001),), 1.00, None)
SEC_FEE_RATE = 0.0000278
FINRA_TAF_PER_SHARE, FINRA_TAF_MAX = 0.000166, 8.30


def schedule_for(sec_type: str) -> Schedule:
    return SCHEDULES.get(sec_type, DEFAULT)


def _rate(tiers: Tiers, month_volume: float) -> float:
    for bound, rate in tiers:
        if month_volume < bound:
            return rate
    return tiers[-1][1]


@dataclass(frozen=True, slots=True)
class OrderVolume:
    """An order's executions so far."""

    units: float = 0.0
    value: float = 0.0
    commission: float = 0.0


def execution_commission(
    sec_type: str, before: OrderVolume, units: float, value: float, month_volume: float, *, adding: bool, selling: bool
) -> float:
    """What this execution costs: the order's commission after it minus what was charged."""
    s = schedule_for(sec_type)
    total_units, total_value = before.units + units, before.value + value
    base = _rate(s.tiers, month_volume) * (total_units if s.per == "unit" else total_value)
    base = max(base, s.minimum)
    if s.maximum_share_of_value is not None:
        base = min(base, s.maximum_share_of_value * total_value)
    fee = s.fee_per_unit_adding if adding else s.fee_per_unit_taking
    third_party = (fee + s.clearing_per_unit) * total_units
    if selling and sec_type == "STK":
        third_party += SEC_FEE_RATE * total_value + min(FINRA_TAF_PER_SHARE * total_units, FINRA_TAF_MAX)
    return round(max(base + third_party, 0.0) - before.commission, 6)


def volume_key(sec_type: str) -> str:
    """Which monthly volume a trade counts towards (units or value, per schedule)."""
    return sec_type if sec_type in SCHEDULES else "OTHER"
