"""The historical requests seen so far, checked against the pacing rules (a violation is what
IB answers with error 162)."""

from __future__ import annotations

from collections import deque

from runner.ib.pacing import PacingRules


class PacingGuard:
    """No rules (None): every request passes."""

    def __init__(self, rules: PacingRules | None) -> None:
        self.rules = rules
        self._all: deque[float] = deque()
        self._identical: dict[str, float] = {}
        self._per_contract: dict[str, deque[float]] = {}

    def check(self, request_key: str, contract_key: str, now: float) -> str | None:
        """Record a request; the violation message when it breaks a rule, else None."""
        lim = self.rules
        if lim is None:
            return None
        while self._all and now - self._all[0] > lim.window_seconds:
            self._all.popleft()
        if len(self._all) >= lim.max_requests:
            return (
                f"Historical Market Data Service error message:Max rate of messages "
                f"exceeded: more than {lim.max_requests} requests in {lim.window_seconds:g} s"
            )
        last = self._identical.get(request_key)
        if last is not None and now - last < lim.identical_cooldown_seconds:
            return (
                "Historical Market Data Service error message:Pacing violation: identical "
                f"request within {lim.identical_cooldown_seconds:g} seconds"
            )
        recent = self._per_contract.setdefault(contract_key, deque())
        while recent and now - recent[0] > lim.per_contract_window_seconds:
            recent.popleft()
        if len(recent) >= lim.per_contract_max:
            return (
                f"Historical Market Data Service error message:Pacing violation: more than "
                f"{lim.per_contract_max} requests for one contract within "
                f"{lim.per_contract_window_seconds:g} seconds"
            )
        self._all.append(now)
        self._identical[request_key] = now
        recent.append(now)
        return None

    def reset(self) -> None:
        self._all.clear()
        self._identical.clear()
        self._per_contract.clear()
