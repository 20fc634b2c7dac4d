"""Accounts: cash, positions, executions and the figures IB reports about them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from runner.sim.world.records import ContractRecord
from runner.sim.world.times import parse_time


@dataclass
class Position:
    record: ContractRecord
    size: float = 0.0
    avg_cost: float = 0.0  # per contract, multiplier included (as IB reports it)
    realized: float = 0.0


@dataclass
class Execution:
    exec_id: str
    order_id: int
    client_id: int
    perm_id: int
    account: str
    record: ContractRecord
    side: str  # BOT / SLD
    shares: float
    price: float
    cum_qty: float
    avg_price: float
    order_ref: str
    epoch: float
    exchange: str
    commission: float
    commission_currency: str
    realized_pnl: float | None
    liquidity: int = 1

    @property
    def time_text(self) -> str:
        return time.strftime("%Y%m%d %H:%M:%S", time.gmtime(self.epoch)) + " UTC"


@dataclass(frozen=True, slots=True)
class ExecutionFilter:
    """reqExecutions' filter; empty fields match everything."""

    client_id: int = 0
    account: str = ""
    time: str = ""
    """Executions at or after this IB date-time ("YYYYMMDD HH:MM:SS [TZ]")."""
    symbol: str = ""
    sec_type: str = ""
    exchange: str = ""
    side: str = ""
    """BUY or SELL (IB also accepts BOT/SLD)."""

    def matches(self, e: Execution) -> bool:
        if self.client_id and e.client_id != self.client_id:
            return False
        if self.account and e.account != self.account:
            return False
        if self.symbol and e.record.symbol != self.symbol:
            return False
        if self.sec_type and e.record.secType != self.sec_type:
            return False
        if self.side and e.side != {"BUY": "BOT", "SELL": "SLD"}.get(self.side, self.side):
            return False
        if self.time:
            try:
                return e.epoch >= parse_time(self.time.replace("  ", " "))
            except ValueError:
                return True
        return True


@dataclass
class Account:
    name: str
    base_currency: str
    cash: dict[str, float] = field(default_factory=dict)
    positions: dict[int, Position] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    commissions: float = 0.0
    month_volume: dict[tuple[str, str], float] = field(default_factory=dict)
    """(YYYYMM, schedule) → shares/contracts or trade value this month: the commission tier."""

    def volume_this_month(self, key: str, epoch: float) -> float:
        return self.month_volume.get((time.strftime("%Y%m", time.gmtime(epoch)), key), 0.0)

    def add_volume(self, key: str, epoch: float, amount: float) -> None:
        month = (time.strftime("%Y%m", time.gmtime(epoch)), key)
        self.month_volume[month] = self.month_volume.get(month, 0.0) + amount

    def apply_fill(self, record: ContractRecord, signed_qty: float, price: float, commission: float) -> float | None:
        """Book a fill; returns the realized PnL when it reduces a position."""
        multiplier = record.contract_multiplier
        ccy = record.currency
        self.cash[ccy] = self.cash.get(ccy, 0.0) - signed_qty * price * multiplier
        self.cash[self.base_currency] = self.cash.get(self.base_currency, 0.0) - commission
        self.commissions += commission
        pos = self.positions.setdefault(record.conId, Position(record))
        realized = None
        unit_cost = price * multiplier
        if pos.size == 0 or (pos.size > 0) == (signed_qty > 0):
            total = pos.size + signed_qty
            pos.avg_cost = (pos.avg_cost * pos.size + unit_cost * signed_qty) / total
            pos.size = total
        else:
            closing = min(abs(signed_qty), abs(pos.size))
            direction = 1 if pos.size > 0 else -1
            realized = (unit_cost - pos.avg_cost) * closing * direction - commission
            pos.realized += realized
            pos.size += signed_qty
            if abs(pos.size) < 1e-12:
                pos.size = 0.0
            elif (pos.size > 0) != (direction > 0):
                pos.avg_cost = unit_cost  # flipped: the remainder opened at this price
        return realized


class Valuation:
    """Mark-to-market of an account with the current simulated prices."""

    def __init__(
        self, account: Account, price_of: Callable[[ContractRecord], float], fx_rate: Callable[[str], float]
    ) -> None:
        self.account = account
        self.price_of = price_of
        self.fx = fx_rate  # currency -> rate to base

    def position_value(self, pos: Position) -> float:
        return pos.size * self.price_of(pos.record) * pos.record.contract_multiplier

    def unrealized(self, pos: Position) -> float:
        return self.position_value(pos) - pos.size * pos.avg_cost

    def figures(self) -> dict[str, float]:
        acct = self.account
        cash = sum(amount * self.fx(ccy) for ccy, amount in acct.cash.items())
        values = [(p, self.position_value(p) * self.fx(p.record.currency)) for p in acct.positions.values() if p.size]
        net_value = sum(v for _, v in values)
        gross = sum(abs(v) for _, v in values)
        net_liq = cash + net_value
        init_margin = sum(abs(v) * _margin_rate(p.record) for p, v in values)
        maint_margin = init_margin * 0.8
        unrealized = sum(self.unrealized(p) * self.fx(p.record.currency) for p, _ in values)
        realized = sum(p.realized * self.fx(p.record.currency) for p in acct.positions.values())
        available = net_liq - init_margin
        return {
            "NetLiquidation": net_liq,
            "TotalCashValue": cash,
            "SettledCash": cash,
            "AccruedCash": 0.0,
            "BuyingPower": max(available, 0.0) * 4,
            "EquityWithLoanValue": net_liq,
            "PreviousDayEquityWithLoanValue": net_liq,
            "GrossPositionValue": gross,
            "RegTEquity": net_liq,
            "RegTMargin": init_margin,
            "SMA": max(available, 0.0),
            "InitMarginReq": init_margin,
            "MaintMarginReq": maint_margin,
            "AvailableFunds": available,
            "ExcessLiquidity": net_liq - maint_margin,
            "Cushion": ((net_liq - maint_margin) / net_liq if net_liq else 0.0),
            "FullInitMarginReq": init_margin,
            "FullMaintMarginReq": maint_margin,
            "FullAvailableFunds": available,
            "FullExcessLiquidity": net_liq - maint_margin,
            "LookAheadInitMarginReq": init_margin,
            "LookAheadMaintMarginReq": maint_margin,
            "LookAheadAvailableFunds": available,
            "LookAheadExcessLiquidity": (net_liq - maint_margin),
            "HighestSeverity": 0.0,
            "DayTradesRemaining": -1.0,
            "Leverage": gross / net_liq if net_liq else 0.0,
            "UnrealizedPnL": unrealized,
            "RealizedPnL": realized,
        }


def _margin_rate(record: ContractRecord) -> float:
    return {
        "STK": 0.25,
        "OPT": 1.0,
        "FUT": 0.06,
        "FOP": 0.1,
        "CASH": 0.03,
        "CRYPTO": 0.5,
        "CFD": 0.1,
        "CMDTY": 0.1,
        "BOND": 0.1,
    }.get(record.secType, 0.25)
