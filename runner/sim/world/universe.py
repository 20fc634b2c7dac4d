"""The instrument universe: shipped data file + user files, chains built relative to today."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from runner.errors import SimulatorSetupFailed
from runner.loading.files import MAX_UNIVERSE_BYTES, FileRefused, read_text
from runner.sim.world import chains
from runner.sim.world.records import ContractRecord, build_record

# the C loader keeps startup fast
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContractQuery(NamedTuple):
    """The contract fields of a client request (IB names). Immutable; a NamedTuple rather than a
    frozen dataclass because every request builds one (4x cheaper to construct, measured)."""

    conId: int = 0
    symbol: str = ""
    secType: str = ""
    lastTradeDateOrContractMonth: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primaryExchange: str = ""
    currency: str = ""
    localSymbol: str = ""
    tradingClass: str = ""
    includeExpired: bool = False
    secIdType: str = ""
    secId: str = ""


def load_data_file(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        text = resources.files("runner.sim.world").joinpath("universe.yaml").read_text()
    else:
        try:
            text = read_text(path, MAX_UNIVERSE_BYTES)
        except FileRefused as exc:
            raise SimulatorSetupFailed(f"ibrun sim: cannot read universe file {path}: it {exc}") from None
    data = yaml.load(text, Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"universe file {path}: expected a mapping at top level")
    return data


class Universe:
    def __init__(self, records: list[ContractRecord]) -> None:
        self.by_con_id: dict[int, ContractRecord] = {}
        self.by_sec_type: dict[str, list[ContractRecord]] = {}
        for record in records:
            self.add(record)

    def add(self, record: ContractRecord) -> None:
        previous = self.by_con_id.get(record.conId)
        if previous is not None:
            self.by_sec_type[previous.secType].remove(previous)
        self.by_con_id[record.conId] = record
        self.by_sec_type.setdefault(record.secType, []).append(record)

    def __len__(self) -> int:
        return len(self.by_con_id)

    def get(self, con_id: int) -> ContractRecord | None:
        return self.by_con_id.get(con_id)

    def match(self, query: ContractQuery) -> list[ContractRecord]:
        """All records matching the query, with the exchange set as requested."""
        if query.conId:
            record = self.by_con_id.get(query.conId)
            return [record.with_exchange(query.exchange or record.exchange)] if record else []
        if query.secType.upper() == "CONTFUT":
            return self._continuous(query)
        types = [query.secType.upper()] if query.secType else list(self.by_sec_type)
        found = []
        for sec_type in types:
            for record in self.by_sec_type.get(sec_type, ()):
                if _matches(record, query):
                    found.append(record.with_exchange(_reply_exchange(record, query)))
        return found

    def _continuous(self, query: ContractQuery) -> list[ContractRecord]:
        futures_query = query._replace(secType="FUT", localSymbol="")
        live = [r for r in self.match(futures_query) if not r.expired]
        if not live:
            return []
        front = min(live, key=lambda r: r.lastTradeDateOrContractMonth)
        return [dataclasses.replace(front, secType="CONTFUT")]

    def option_chain_params(
        self, underlying_con_id: int, fut_fop_exchange: str
    ) -> list[tuple[str, str, str, list[str], list[float]]]:
        """(exchange, tradingClass, multiplier, expirations, strikes) rows for reqSecDefOptParams."""
        groups: dict[tuple[str, str, str], tuple[set[str], set[float]]] = {}
        for sec_type in ("OPT", "FOP"):
            for record in self.by_sec_type.get(sec_type, ()):
                if record.underConId != underlying_con_id or record.expired:
                    continue
                exchanges = [record.exchange] if sec_type == "FOP" else record.valid_exchange_list()
                for exchange in exchanges:
                    if fut_fop_exchange and sec_type == "FOP" and exchange != fut_fop_exchange:
                        continue
                    key = (exchange, record.tradingClass, record.multiplier)
                    expiries, strikes = groups.setdefault(key, (set(), set()))
                    expiries.add(record.lastTradeDateOrContractMonth)
                    strikes.add(record.strike)
        return [(k[0], k[1], k[2], sorted(v[0]), sorted(v[1])) for k, v in groups.items()]


def _norm(text: str) -> str:
    return text.replace(" ", "").upper()


def _reply_exchange(record: ContractRecord, query: ContractQuery) -> str:
    return query.exchange.upper() if query.exchange else record.exchange


def _matches(record: ContractRecord, q: ContractQuery) -> bool:
    if q.symbol and q.symbol.upper() != record.symbol.upper():
        return False
    if q.localSymbol and _norm(q.localSymbol) != _norm(record.localSymbol):
        return False
    if q.currency and q.currency.upper() != record.currency.upper():
        return False
    if q.tradingClass and q.tradingClass.upper() != record.tradingClass.upper():
        return False
    if q.lastTradeDateOrContractMonth and not (
        record.lastTradeDateOrContractMonth.startswith(q.lastTradeDateOrContractMonth)
        or record.contractMonth == q.lastTradeDateOrContractMonth
    ):
        return False
    if q.strike and q.strike < 1e300 and not math.isclose(q.strike, record.strike, abs_tol=1e-6):
        return False
    if q.right and q.right[:1].upper() not in ("", "?") and q.right[:1].upper() != record.right:
        return False
    if q.multiplier and record.multiplier and float(q.multiplier) != float(record.multiplier):
        return False
    if q.exchange and not _exchange_ok(record, q.exchange.upper()):
        return False
    if q.primaryExchange and q.primaryExchange.upper() not in (record.primaryExchange.upper(), record.exchange.upper()):
        return False
    if q.secId and not _sec_id_ok(record, q.secIdType.upper(), q.secId.upper()):
        return False
    explicit = q.includeExpired or q.localSymbol or q.lastTradeDateOrContractMonth
    return not record.expired or bool(explicit)


def _exchange_ok(record: ContractRecord, exchange: str) -> bool:
    return exchange == record.exchange or exchange in record.valid_exchange_list()


def _sec_id_ok(record: ContractRecord, id_type: str, sec_id: str) -> bool:
    if id_type == "CUSIP" and record.cusip.upper() == sec_id:
        return True
    return any((not id_type or t.upper() == id_type) and v.upper() == sec_id for t, v in record.secIdList)


def build_universe(files: tuple[str, ...] = (), today: dt.date | None = None) -> Universe:
    """Shipped data file first, then user files (same conId or localSymbol replaces)."""
    today = today or dt.date.today()
    universe = Universe([])
    for path in (None, *files):
        add_data(universe, load_data_file(path), today)
    return universe


def add_data(universe: Universe, data: dict[str, Any], today: dt.date) -> None:
    for entry in data.get("instruments", ()) or ():
        record = build_record(entry)
        if record.secType == "OPT" and not record.underConId:
            _link_underlying(universe, record)
        _mark_expired(record, today)
        universe.add(record)
    for spec in data.get("futures", ()) or ():
        underlying = _find(universe, spec.get("underlying"), spec.get("underlyingSecType"))
        futures = chains.build_futures(spec, today, underlying)
        for record in futures:
            universe.add(record)
    for spec in data.get("options", ()) or ():
        underlying = _find(universe, spec["underlying"], spec.get("underlyingSecType"))
        if underlying is None:
            raise ValueError(f"option chain: unknown underlying {spec['underlying']!r}")
        for record in chains.build_options(spec, underlying, today):
            universe.add(record)
    for spec in data.get("future_options", ()) or ():
        futures = sorted(
            (r for r in universe.by_sec_type.get("FUT", ()) if r.symbol == spec["underlying"] and not r.expired),
            key=lambda r: r.lastTradeDateOrContractMonth,
        )
        for record in chains.build_future_options(spec, futures):
            universe.add(record)


def _find(universe: Universe, symbol: str | None, sec_type: str | None) -> ContractRecord | None:
    if not symbol:
        return None
    for record in universe.by_con_id.values():
        if (
            record.symbol == symbol
            and (not sec_type or record.secType == sec_type)
            and record.secType in ("STK", "IND", "CASH", "CRYPTO", "CMDTY")
        ):
            return record
    return None


def _link_underlying(universe: Universe, record: ContractRecord) -> None:
    underlying = _find(universe, record.symbol, record.underSecType or None)
    if underlying:
        record.underConId = underlying.conId
        record.underSymbol = record.underSymbol or underlying.symbol
        record.underSecType = record.underSecType or underlying.secType


def _mark_expired(record: ContractRecord, today: dt.date) -> None:
    expiry = record.lastTradeDateOrContractMonth
    if len(expiry) == 8 and expiry < today.strftime("%Y%m%d"):
        record.expired = True
