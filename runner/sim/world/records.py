"""ContractRecord: one instrument's complete ContractDetails plus the simulator's price model."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

ORDER_TYPES = (
    "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,"
    "DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,IOC,LIT,LMT,LOC,MIT,MKT,MOC,MTL,NONALGO,"
    "OCA,OPG,OPGREROUT,POSTONLY,PREOPGRTH,REL,RTH,SCALE,SCALERST,SNAPMID,SNAPMKT,"
    "SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF"
)


@dataclass(slots=True)
class ContractRecord:
    conId: int
    symbol: str
    secType: str
    currency: str = "USD"
    exchange: str = "SMART"
    primaryExchange: str = ""
    localSymbol: str = ""
    tradingClass: str = ""
    lastTradeDateOrContractMonth: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    minTick: float = 0.01
    minSize: str = "1"
    sizeIncrement: str = "1"
    suggestedSizeIncrement: str = "1"
    priceMagnifier: int = 1
    orderTypes: str = ORDER_TYPES
    validExchanges: str = "SMART"
    marketName: str = ""
    longName: str = ""
    contractMonth: str = ""
    industry: str = ""
    category: str = ""
    subcategory: str = ""
    timeZoneId: str = "US/Eastern"
    session: str = "0930-1600"
    """Daily trading-session template "HHMM-HHMM" (tradingHours; overnight when start > end)."""
    liquidSession: str = ""
    """Regular session (liquidHours, useRTH); empty: the trading session."""
    calendar: str = "weekdays"
    """Trading days: NYSE, CME (weekdays less holidays), weekdays or 24/7 (runner/sim/world/sessions.py)."""
    underConId: int = 0
    underSymbol: str = ""
    underSecType: str = ""
    secIdList: tuple[tuple[str, str], ...] = ()
    stockType: str = ""
    marketRuleIds: str = "26"
    aggGroup: int = 1
    evRule: str = ""
    evMultiplier: int = 0
    realExpirationDate: str = ""
    lastTradeTime: str = ""
    # bonds
    cusip: str = ""
    coupon: float = 0.0
    issueDate: str = ""
    ratings: str = ""
    bondType: str = ""
    couponType: str = ""
    descAppend: str = ""
    # simulator model
    price: float = 100.0
    volatility: float = 0.2
    spread_ticks: int = 1
    expired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_derivative(self) -> bool:
        return self.secType in ("OPT", "FOP")

    @property
    def contract_multiplier(self) -> float:
        try:
            return float(self.multiplier) if self.multiplier else 1.0
        except ValueError:
            return 1.0

    def valid_exchange_list(self) -> list[str]:
        return [e for e in self.validExchanges.split(",") if e]

    def with_exchange(self, exchange: str) -> ContractRecord:
        return self if exchange == self.exchange else dataclasses.replace(self, exchange=exchange)


FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(ContractRecord))

# Per-secType defaults applied before an entry's own fields.
SEC_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "STK": {
        "exchange": "SMART",
        "minTick": 0.01,
        "minSize": "1",
        "sizeIncrement": "1",
        "stockType": "COMMON",
        "session": "0400-2000",
        "liquidSession": "0930-1600",
        "calendar": "NYSE",
        "validExchanges": "SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,BATS,IEX",
        "timeZoneId": "US/Eastern",
        "category": "",
        "volatility": 0.25,
    },
    "CASH": {
        "exchange": "IDEALPRO",
        "minTick": 0.00005,
        "minSize": "0.01",
        "sizeIncrement": "0.01",
        "suggestedSizeIncrement": "20000",
        "session": "1715-1700",
        "validExchanges": "IDEALPRO",
        "timeZoneId": "US/Eastern",
        "volatility": 0.08,
        "marketName": "",
        "spread_ticks": 2,
    },
    "CRYPTO": {
        "exchange": "PAXOS",
        "minTick": 0.25,
        "minSize": "0.0001",
        "sizeIncrement": "0.0001",
        "suggestedSizeIncrement": "0.0001",
        "session": "0000-2359",
        "calendar": "24/7",
        "validExchanges": "PAXOS",
        "timeZoneId": "US/Central",
        "volatility": 0.6,
    },
    "IND": {
        "minTick": 0.01,
        "minSize": "1",
        "sizeIncrement": "1",
        "session": "0930-1600",
        "calendar": "NYSE",
        "timeZoneId": "US/Eastern",
        "volatility": 0.18,
    },
    "FUT": {"minTick": 0.25, "session": "1700-1600", "calendar": "CME", "timeZoneId": "US/Central", "volatility": 0.18},
    "OPT": {
        "minTick": 0.01,
        "multiplier": "100",
        "session": "0930-1600",
        "calendar": "NYSE",
        "validExchanges": "SMART,CBOE,AMEX,ISE,PHLX,BOX,NASDAQOM,MIAX,PEARL,EMERALD",
    },
    "FOP": {"minTick": 0.05, "session": "1700-1600", "calendar": "CME", "timeZoneId": "US/Central"},
    "CFD": {
        "exchange": "SMART",
        "minTick": 0.1,
        "minSize": "1",
        "sizeIncrement": "1",
        "session": "1800-1700",
        "validExchanges": "SMART",
        "volatility": 0.18,
    },
    "CMDTY": {
        "exchange": "SMART",
        "minTick": 0.01,
        "minSize": "1",
        "sizeIncrement": "1",
        "session": "1800-1700",
        "validExchanges": "SMART",
        "volatility": 0.15,
    },
    "BOND": {
        "exchange": "SMART",
        "minTick": 0.001,
        "minSize": "1",
        "sizeIncrement": "1",
        "session": "0800-1700",
        "calendar": "NYSE",
        "validExchanges": "SMART",
        "volatility": 0.03,
    },
}


def build_record(entry: dict[str, Any]) -> ContractRecord:
    """Record from a data-file entry: secType defaults, then the entry; isin/cusip shortcuts."""
    sec_type = str(entry["secType"]).upper()
    values: dict[str, Any] = dict(SEC_TYPE_DEFAULTS.get(sec_type, {}))
    extra: dict[str, Any] = {}
    for key, value in entry.items():
        if key in FIELD_NAMES:
            values[key] = value
        elif key not in ("isin",):
            extra[key] = value
    values["secType"] = sec_type
    values.setdefault("localSymbol", values.get("symbol", ""))
    values.setdefault("tradingClass", values.get("localSymbol", "") if sec_type != "STK" else values.get("symbol", ""))
    if sec_type == "STK" and not values.get("tradingClass"):
        values["tradingClass"] = values.get("primaryExchange", "")
    sec_ids = list(values.get("secIdList") or ())
    if entry.get("isin"):
        sec_ids.append(("ISIN", entry["isin"]))
    values["secIdList"] = tuple(tuple(item) for item in sec_ids)
    for key in ("multiplier", "minSize", "sizeIncrement", "suggestedSizeIncrement"):
        if key in values:
            values[key] = str(values[key])
    values["extra"] = extra
    return ContractRecord(**values)
