"""Silent stalls: a subscription stops sending, with no error (IB's stuck streams).

A stalled subscription is taken out of its session (the market clock no longer streams it) and
kept aside. Like a stuck stream at IB, cancelling and requesting it again cures it: the new
request is a new subscription. `resume` puts back what was not replaced meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.sim.session import Session

STREAMS = ("mkt_data", "tick_by_tick", "depth", "rt_bars", "hist_live")
"""The session's streaming subscriptions by kind: reqMktData, tick-by-tick, depth, 5-second bars,
keepUpToDate bars."""


@dataclass(frozen=True)
class Stalled:
    client_id: int
    kind: str
    req_id: int
    con_id: int
    local_symbol: str

    def report(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "kind": self.kind,
            "req_id": self.req_id,
            "conId": self.con_id,
            "localSymbol": self.local_symbol,
        }


@dataclass
class StalledStreams:
    _parked: dict[Stalled, tuple[Session, Any]] = field(default_factory=dict)

    def stall(self, sessions: list[Session], wanted: Callable[[Session, str, int, Any], bool]) -> list[Stalled]:
        """Stall every streaming subscription ``wanted(session, kind, req_id, sub)`` selects."""
        stalled = []
        for session in sessions:
            for kind in STREAMS:
                subs: dict[int, Any] = getattr(session, kind)
                for req_id, sub in list(subs.items()):
                    if wanted(session, kind, req_id, sub):
                        key = Stalled(session.client_id, kind, req_id, sub.record.conId, sub.record.localSymbol)
                        self._parked[key] = (session, subs.pop(req_id))
                        stalled.append(key)
        return stalled

    def resume(self) -> list[Stalled]:
        """Stream the stalled subscriptions again (those still open and not requested anew)."""
        resumed = []
        for key, (session, sub) in self._parked.items():
            subs: dict[int, Any] = getattr(session, key.kind)
            if not session.closed and key.req_id not in subs:
                subs[key.req_id] = sub
                resumed.append(key)
        self._parked.clear()
        return resumed

    def current(self) -> list[Stalled]:
        """The stalls in effect: not cured by a new request, their client still connected."""
        self._parked = {key: held for key, held in self._parked.items() if _in_effect(key, held[0])}
        return list(self._parked)


def _in_effect(key: Stalled, session: Session) -> bool:
    subs: dict[int, Any] = getattr(session, key.kind)
    return not session.closed and key.req_id not in subs
