"""The staleness watchdog: pure logic, fed events, asked for decisions (no nautilus, no clock).

Each subscription (instrument x quotes/trades/bars/book) has an expected interval between data.
It is *stale* when it has been silent for longer than ``expected x tolerance`` while it should be
delivering: the gateway connected, the data farm not reported broken, the market open. Silence is
measured from the later of its last data and the start of its current wait — subscribing, a
reconnect, a farm coming back, a re-subscription, the market opening — so after a flap every
subscription must prove it delivers again.

A subscription that turns stale is re-subscribed (up to ``resubscribe_attempts`` times, one
window apart) and reported once; when data arrives again it is reported as resumed.

Times are plain floats (seconds on one monotonic clock), given by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["quotes", "trades", "bars", "book"]
State = Literal["waiting", "fresh", "stale", "closed", "paused"]
DecisionKind = Literal["stale", "resumed", "resubscribe"]


@dataclass(frozen=True)
class Watch:
    """One subscription and how often its data should arrive."""

    instrument: str
    kind: Kind
    expected: float
    """Seconds between two data in an open market."""
    detail: str = ""
    """The bar spec of a bar subscription (`5-SECOND-LAST`)."""

    @property
    def key(self) -> str:
        return f"{self.instrument} {self.kind}" + (f" {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    watch: Watch
    silent_for: float
    """Seconds without data when decided (for `resumed`: how long it had been silent)."""


@dataclass(frozen=True)
class SubscriptionStatus:
    watch: Watch
    state: State
    age: float | None
    """Seconds since its last data (None: none yet)."""
    stale_after: float
    resubscribes: int


@dataclass
class _Sub:
    watch: Watch
    wait_start: float
    last_data: float | None = None
    stale_since: float | None = None
    silent_from: float = 0.0
    """When the current silence began (for the `resumed` report)."""
    attempts_left: int = 0
    resubscribes: int = 0
    market_open: bool | None = None
    resumed_after: float | None = None


@dataclass
class Watchdog:
    tolerance: float = 1.5
    resubscribe_attempts: int = 3
    _subs: dict[str, _Sub] = field(default_factory=dict)
    _connected: bool = True
    _farm_broken: set[str] = field(default_factory=set)

    # --- what happened ------------------------------------------------------------------------

    def add(self, watch: Watch, at: float) -> None:
        """Start watching (again adding a known subscription changes nothing)."""
        if watch.key not in self._subs:
            self._subs[watch.key] = _Sub(watch, at, attempts_left=self.resubscribe_attempts)

    def keys(self) -> set[str]:
        return set(self._subs)

    def watches(self) -> list[Watch]:
        return [sub.watch for sub in self._subs.values()]

    def data(self, key: str, at: float) -> None:
        sub = self._subs.get(key)
        if sub is None or (sub.last_data is not None and at <= sub.last_data):
            return
        if sub.stale_since is not None:
            sub.resumed_after = at - sub.silent_from
            sub.stale_since = None
        sub.last_data = at
        sub.attempts_left = self.resubscribe_attempts

    def market(self, key: str, is_open: bool | None, at: float) -> None:
        """The market's state from the contract's trading hours (None: unknown, treated as open)."""
        sub = self._subs.get(key)
        if sub is None:
            return
        if sub.market_open is False and is_open is not False:
            self._restart(sub, at)  # it just opened: the first data is due one window from now
        if is_open is False:
            sub.stale_since = None  # silence is expected now
        sub.market_open = is_open

    def connection_lost(self, at: float) -> None:
        self._connected = False

    def connection_restored(self, at: float) -> None:
        """A reconnect, or IB's 1101/1102: every subscription must deliver again."""
        self._connected = True
        self._restart_all(at)

    def farm_broken(self, farm: str, at: float) -> None:
        self._farm_broken.add(farm)

    def farm_ok(self, farm: str, at: float) -> None:
        if farm in self._farm_broken:
            self._farm_broken.discard(farm)
            self._restart_all(at)

    def resubscribed(self, key: str, at: float) -> None:
        sub = self._subs.get(key)
        if sub is not None:
            self._restart(sub, at)

    # --- what to do ---------------------------------------------------------------------------

    def evaluate(self, at: float) -> list[Decision]:
        decisions: list[Decision] = []
        for sub in self._subs.values():
            if sub.resumed_after is not None:
                decisions.append(Decision("resumed", sub.watch, sub.resumed_after))
                sub.resumed_after = None
            if self._state(sub, at) != "stale":
                continue
            silent = at - self._silent_since(sub)
            if sub.stale_since is None:
                sub.stale_since, sub.silent_from = at, at - silent
                decisions.append(Decision("stale", sub.watch, silent))
            if sub.attempts_left > 0 and at - sub.wait_start > self._stale_after(sub):
                sub.attempts_left -= 1
                sub.resubscribes += 1
                sub.wait_start = at  # the next attempt one window later
                decisions.append(Decision("resubscribe", sub.watch, silent))
        return decisions

    def statuses(self, at: float) -> list[SubscriptionStatus]:
        return [
            SubscriptionStatus(
                watch=sub.watch,
                state=self._state(sub, at),
                age=None if sub.last_data is None else at - sub.last_data,
                stale_after=self._stale_after(sub),
                resubscribes=sub.resubscribes,
            )
            for _, sub in sorted(self._subs.items())
        ]

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def paused(self) -> bool:
        return not self._connected or "market" in self._farm_broken

    # --- internals ----------------------------------------------------------------------------

    def _state(self, sub: _Sub, at: float) -> State:
        if sub.market_open is False:
            return "closed"
        if sub.stale_since is not None:  # until data arrives, whatever the windows say
            return "stale" if self._connected else "paused"
        silent = at - self._silent_since(sub)
        if silent <= self._stale_after(sub):
            # waiting: nothing yet since its wait began (subscribed, reconnected, farm back, ...)
            return "waiting" if sub.last_data is None or sub.last_data < sub.wait_start else "fresh"
        return "paused" if self.paused else "stale"

    def _stale_after(self, sub: _Sub) -> float:
        return sub.watch.expected * self.tolerance

    @staticmethod
    def _silent_since(sub: _Sub) -> float:
        return sub.wait_start if sub.last_data is None else max(sub.last_data, sub.wait_start)

    def _restart(self, sub: _Sub, at: float) -> None:
        sub.wait_start = max(sub.wait_start, at)

    def _restart_all(self, at: float) -> None:
        for sub in self._subs.values():
            self._restart(sub, at)
            sub.attempts_left = self.resubscribe_attempts
