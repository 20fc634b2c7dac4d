"""Deterministic simulated prices: a function of (seed, instrument, time), so history, live
ticks and fills agree, and any run with the same seed sees the same path."""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from runner.sim.world.chains import black_scholes
from runner.sim.world.records import ContractRecord
from runner.sim.world.universe import Universe

_MASK = (1 << 64) - 1
_DAY = 86_400.0
_TWO_PI = 2 * math.pi


def mix64(value: int) -> int:
    """splitmix64 finaliser: a fast, well-distributed hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def unit(key: int, index: int) -> float:
    """Deterministic pseudo-random number in [-1, 1) for (key, index)."""
    return mix64(key ^ mix64(index)) / 2**63 - 1.0


@dataclass(slots=True)
class Quote:
    bid: float
    ask: float
    bid_size: int
    ask_size: int
    last: float
    last_size: int
    volume: int

    @property
    def mid(self) -> float:
        return (self.bid + self.ask) / 2


@dataclass(slots=True)
class Bar:
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: int
    wap: float
    count: int


class Market:
    def __init__(self, seed: int, tick_interval_s: float, universe: Universe) -> None:
        self.seed = seed
        self.tick_interval_s = tick_interval_s
        self.universe = universe
        self._quote_cache: dict[int, tuple[int, Quote]] = {}
        self.overrides: dict[int, float] = {}  # conId -> multiplicative shock set by control
        self._constants_cache: dict[int, tuple[int, float, float, float, float]] = {}

    def shock(self, con_id: int, factor: float) -> None:
        """Scale an instrument's price from now on (control `shock`)."""
        self.overrides[con_id] = factor
        self._quote_cache.pop(con_id, None)

    def key(self, record: ContractRecord) -> int:
        return self._constants(record)[0]

    def _constants(self, record: ContractRecord) -> tuple[int, float, float, float, float]:
        """(key, daily vol, three phases) per instrument, computed once."""
        cached = self._constants_cache.get(record.conId)
        if cached is None:
            key = mix64(self.seed * 1_000_003 + record.conId)
            daily = record.volatility / math.sqrt(252.0)
            phases = [(unit(key, i) + 1) * math.pi for i in range(3)]
            cached = (key, daily, phases[0], phases[1], phases[2])
            self._constants_cache[record.conId] = cached
        return cached

    def level(self, record: ContractRecord, t: float) -> float:
        """Smooth deterministic reference price at time t (epoch seconds)."""
        if record.is_derivative:
            return self._derivative_level(record, t)
        _, daily, p0, p1, p2 = self._constants(record)
        x = (
            0.8 * daily * math.sin(_TWO_PI * t / (3.1 * _DAY) + p0)
            + 0.35 * daily * math.sin(_TWO_PI * t / 9_000.0 + p1)
            + 0.12 * daily * math.sin(_TWO_PI * t / 780.0 + p2)
        )
        return record.price * math.exp(x) * self.overrides.get(record.conId, 1.0)

    def _derivative_level(self, record: ContractRecord, t: float) -> float:
        underlying = self.universe.get(record.underConId)
        if underlying is None:
            return record.price * self.overrides.get(record.conId, 1.0)
        spot = self.level(underlying, t)
        expiry = _expiry_epoch(record.lastTradeDateOrContractMonth)
        years = max(expiry - t, 3_600.0) / (365.0 * _DAY)
        value = black_scholes(spot, record.strike, years, record.volatility, record.right)
        return max(value, record.minTick) * self.overrides.get(record.conId, 1.0)

    def tick_index(self, t: float) -> int:
        return int(t / self.tick_interval_s)

    def quote(self, record: ContractRecord, t: float) -> Quote:
        index = self.tick_index(t)
        cached = self._quote_cache.get(record.conId)
        if cached is not None and cached[0] == index:
            return cached[1]
        quote = self.quote_at(record, index, index * self.tick_interval_s)
        self._quote_cache[record.conId] = (index, quote)
        return quote

    def quote_at(self, record: ContractRecord, index: int, t: float) -> Quote:
        key = self._constants(record)[0]
        # one 64-bit hash gives the four 16-bit uniforms a quote needs (hot path)
        h = mix64(key ^ ((index * 0x9E3779B97F4A7C15) & _MASK))
        u0 = (h & 0xFFFF) / 32768.0 - 1.0
        u1 = ((h >> 16) & 0xFFFF) / 65536.0
        u2 = ((h >> 32) & 0xFFFF) / 65536.0
        side = ((h >> 48) & 0xFFFF) / 32768.0 - 1.0
        tick = record.minTick
        mid = self.level(record, t) * (1.0 + u0 * record.volatility * 2e-4)
        bid = max(math.floor((mid - record.spread_ticks * tick / 2) / tick + 1e-9) * tick, tick)
        bid = round(bid, 10)
        ask = round(bid + record.spread_ticks * tick, 10)
        base_size = _BASE_SIZE.get(record.secType, 1)
        last = ask if side > 0 else bid
        return Quote(
            bid,
            ask,
            base_size * (3 + int(8 * u1)),
            base_size * (3 + int(8 * u2)),
            last,
            base_size * (1 + int(abs(side) * 5)),
            base_size * (100_000 + int(t) % _DAY_INT * 7 // 10),
        )

    def bar(self, record: ContractRecord, start: int, seconds: int) -> Bar:
        """Bar [start, start+seconds): deterministic for any window and request order."""
        key = self.key(record)
        tick = record.minTick
        open_ = self.level(record, start)
        close = self.level(record, start + seconds)
        spread = abs(unit(key, start * 7 + 1)) * record.volatility * 1e-3 * math.sqrt(seconds / 60)
        high = max(open_, close) * (1 + spread)
        low = min(open_, close) * (1 - spread)
        o, hi, lo, c = (round_price(v, tick, round) for v in (open_, high, low, close))
        hi, lo = max(o, hi, lo, c), min(o, hi, lo, c)
        count = 1 + int((unit(key, start * 7 + 2) + 1) * seconds / 2)
        volume = _base_size(record) * count * 3
        wap = round((o + hi + lo + c) / 4, 6)
        return Bar(start, o, hi, lo, c, volume, wap, count)


_DAY_INT = 86_400


_BASE_SIZE = {"STK": 100, "CASH": 100_000, "CRYPTO": 1, "FUT": 1, "OPT": 10, "FOP": 5}


def _base_size(record: ContractRecord) -> int:
    return _BASE_SIZE.get(record.secType, 1)


def round_price(value: float, tick: float, how: Callable[[float], int] = round) -> float:
    steps = how(value / tick + 1e-9) if how is math.floor else how(value / tick)
    return round(steps * tick, 10)


def _expiry_epoch(yyyymmdd: str) -> float:
    if len(yyyymmdd) < 8:
        return time.time() + 30 * _DAY
    tm = (int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]), 21, 0, 0)
    return float(calendar.timegm(tm))
