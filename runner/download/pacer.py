"""Schedule historical-data requests inside IB's pacing rules.

IB answers error 162 ("pacing violation") when a client makes more than 60 requests in ten
minutes, repeats an identical request within 15 seconds, or makes more than 6 requests for one
contract within 2 seconds. `Pacer.wait(key, contract)` sleeps until a request is allowed and
records it; `backoff(attempt)` is how long to wait after a 162 before retrying. Pure: the clock
and sleep are injectable, so unit tests run instantly.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from runner.ib.pacing import PacingRules


@dataclass
class Pacer:
    rules: PacingRules = field(default_factory=PacingRules)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    margin_s: float | None = None
    """Slack added to every computed wait (our send time vs the gateway's receive time);
    default: a quarter of the per-contract window, within 0.1-0.5 s."""
    backoff_cap_s: float | None = None
    """Longest wait after a pacing violation; default: a quarter of the window, within 1-60 s."""
    waited_s: float = 0.0
    """Wall-clock time during which some request was held back by pacing (rules and 162
    backoffs); concurrent waits count once."""
    requests: int = 0
    _waiters: int = 0
    _blocked_since: float = 0.0
    _all: deque[float] = field(default_factory=deque)
    _by_contract: dict[Hashable, deque[float]] = field(default_factory=dict)
    _last_identical: dict[Hashable, float] = field(default_factory=dict)

    @property
    def margin(self) -> float:
        if self.margin_s is not None:
            return self.margin_s
        return min(0.5, max(0.1, self.rules.per_contract_window_seconds / 4))

    @property
    def backoff_cap(self) -> float:
        if self.backoff_cap_s is not None:
            return self.backoff_cap_s
        return max(1.0, min(60.0, self.rules.window_seconds / 4))

    def delay(self, key: Hashable, contract: Hashable) -> float:
        """Seconds until a request `key` for `contract` may be sent (0: now)."""
        now, rules = self.clock(), self.rules
        self._expire(now)
        waits = [0.0]
        if len(self._all) >= rules.max_requests:
            waits.append(self._all[-rules.max_requests] + rules.window_seconds - now)
        recent = self._by_contract.get(contract, ())
        if len(recent) >= rules.per_contract_max:
            waits.append(recent[-rules.per_contract_max] + rules.per_contract_window_seconds - now)
        if key in self._last_identical:
            waits.append(self._last_identical[key] + rules.identical_cooldown_seconds - now)
        longest = max(waits)
        return longest + self.margin if longest > 0 else 0.0

    def record(self, key: Hashable, contract: Hashable) -> None:
        now = self.clock()
        self._all.append(now)
        self._by_contract.setdefault(contract, deque()).append(now)
        self._last_identical[key] = now
        self.requests += 1

    async def wait(self, key: Hashable, contract: Hashable) -> float:
        """Sleep until the request is allowed, then record it as sent; returns the time waited."""
        waited = 0.0
        while (delay := self.delay(key, contract)) > 0:
            await self._blocked(delay)
            waited += delay
        self.record(key, contract)
        return waited

    async def _blocked(self, delay: float) -> None:
        if self._waiters == 0:
            self._blocked_since = self.clock()
        self._waiters += 1
        try:
            await self.sleep(delay)
        finally:
            self._waiters -= 1
            if self._waiters == 0:
                self.waited_s += self.clock() - self._blocked_since

    def backoff(self, attempt: int) -> float:
        """Wait after the `attempt`-th (0-based) pacing violation in a row."""
        base = max(self.rules.per_contract_window_seconds, 0.05)
        return min(self.backoff_cap, base * 2**attempt)

    async def penalty(self, attempt: int) -> float:
        delay = self.backoff(attempt)
        await self._blocked(delay)
        return delay

    def _expire(self, now: float) -> None:
        rules = self.rules
        while self._all and self._all[0] <= now - rules.window_seconds:
            self._all.popleft()
        for times in self._by_contract.values():
            while times and times[0] <= now - rules.per_contract_window_seconds:
                times.popleft()
        horizon = now - rules.identical_cooldown_seconds
        if len(self._last_identical) > 1024:
            self._last_identical = {k: t for k, t in self._last_identical.items() if t > horizon}
