"""What real gateways do to their clients, as control-port commands: the daily restart, the
weekly re-login (2FA), a silent stall, and timed sequences of IB's farm and connectivity codes.

- `restart` drops every client and refuses connections (the listener is closed: ECONNREFUSED)
  for ``seconds``; with ``relogin`` it stays down until `complete_2fa`. It comes back on the same
  port with the same orders, positions and executions. While it is down the market clock stops
  (no streaming, no matching): fills during the window are not simulated.
- `stall` silences streaming subscriptions with no error; cancelling and requesting one again
  cures it, `unstall` resumes the rest.
- `sequence` runs control commands at offsets (``after_ms``); `flap` is the usual pair: a farm
  broken then OK (2103/2104, 2105/2106, 2157/2158), or connectivity lost then restored
  (1100, then 1101 with ``data_lost`` or 1102).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from runner.sim.session import Session
from runner.sim.stalls import STREAMS

if TYPE_CHECKING:
    from runner.sim.server import SimServer

Request = dict[str, Any]
Reply = dict[str, Any]
Execute = Callable[["SimServer", Request], Awaitable[Reply]]

log = logging.getLogger("runner.sim")
RETURN_POLL = 0.02
"""How often a gateway that is down checks whether it may come back."""
FLAPS = ("market", "hmds", "secdef", "connectivity")


async def restart(server: SimServer, req: Request) -> Reply:
    now = time.time()
    state = server.world.gateway
    state.begin_restart(now, float(req.get("seconds", 30.0)), bool(req.get("relogin", False)))
    cut = server.refuse()
    server.background(_return_when_due(server))
    log.warning("gateway restart: %d connections cut, refusing connections", cut)
    return {"cut": cut, **state.report(now)}


async def _return_when_due(server: SimServer) -> None:
    state = server.world.gateway
    while not state.may_return(time.time()):
        await asyncio.sleep(RETURN_POLL)
    try:
        await server.listen()
    except OSError as error:  # the port was taken while it was down: it stays down, and says why
        log.error("gateway restart: cannot listen on port %d again: %s", server.port, error)
        return
    state.returned(time.time())
    log.warning("gateway restart: accepting connections again on port %d", server.port)


async def complete_2fa(server: SimServer, req: Request) -> Reply:
    """The human completed the weekly login: the gateway comes back (when its restart is over)."""
    state = server.world.gateway
    state.complete_login()
    return state.report(time.time())


async def gateway(server: SimServer, req: Request) -> Reply:
    """The gateway's phase, its connections and the stalled subscriptions."""
    return {
        **server.world.gateway.report(time.time()),
        "connections": server.connections.report(),
        "stalled": [key.report() for key in server.stalls.current()],
    }


async def stall(server: SimServer, req: Request) -> Reply:
    """Silence the streaming subscriptions the request selects (all of them when it names none):
    ``client_id``, ``req_id``, ``kind`` (one of STREAMS), ``conId``, ``localSymbol``, ``symbol``."""
    kind = req.get("kind")
    if kind is not None and kind not in STREAMS:
        raise ValueError(f"kind must be one of {', '.join(STREAMS)}")

    def wanted(session: Session, sub_kind: str, req_id: int, sub: Any) -> bool:
        record = sub.record
        checks = (
            ("client_id", session.client_id),
            ("req_id", req_id),
            ("kind", sub_kind),
            ("conId", record.conId),
            ("localSymbol", record.localSymbol),
            ("symbol", record.symbol),
        )
        return all(req.get(name) is None or req[name] == value for name, value in checks)

    stalled = server.stalls.stall(list(server.sessions.values()), wanted)
    if not stalled:
        raise ValueError("no streaming subscription matches")
    return {"stalled": [key.report() for key in stalled]}


async def unstall(server: SimServer, req: Request) -> Reply:
    return {"resumed": [key.report() for key in server.stalls.resume()]}


def sequence(server: SimServer, req: Request, execute: Execute, known: Iterable[str]) -> Reply:
    """Run ``steps`` (control requests with ``after_ms``, counted from now) in the background."""
    steps = req.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ValueError("steps must be a non-empty list of {after_ms, cmd, ...}")
    names = set(known)
    for step in steps:
        if not isinstance(step, dict) or step.get("cmd") not in names:
            raise ValueError(f"each step needs a known cmd: {step!r}")
        if float(step.get("after_ms", 0)) < 0:
            raise ValueError(f"after_ms must be ≥ 0: {step!r}")
    ordered = sorted(steps, key=lambda step: float(step.get("after_ms", 0)))
    server.background(_run_steps(server, ordered, execute))
    return {"scheduled": len(ordered)}


async def _run_steps(server: SimServer, steps: list[Request], execute: Execute) -> None:
    started = time.monotonic()
    for step in steps:
        wait = started + float(step.get("after_ms", 0)) / 1000.0 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        request = {key: value for key, value in step.items() if key != "after_ms"}
        reply = await execute(server, request)
        if not reply.get("ok"):
            log.error("sequence step %s failed: %s", request, reply.get("error"))


def flap_steps(req: Request) -> list[Request]:
    """``kind`` broken (or connectivity lost), then OK (restored) ``down_ms`` later."""
    kind = req.get("kind", "market")
    if kind not in FLAPS:
        raise ValueError(f"kind must be one of {', '.join(FLAPS)}")
    down_ms = float(req.get("down_ms", 3000))
    if kind == "connectivity":
        data_lost = bool(req.get("data_lost", False))
        return [
            {"after_ms": 0, "cmd": "connectivity_lost"},
            {"after_ms": down_ms, "cmd": "connectivity_restored", "data_lost": data_lost},
        ]
    return [
        {"after_ms": 0, "cmd": "farm", "kind": kind, "up": False},
        {"after_ms": down_ms, "cmd": "farm", "kind": kind, "up": True},
    ]


COMMANDS: dict[str, Callable[[SimServer, Request], Awaitable[Reply]]] = {
    "restart": restart,
    "complete_2fa": complete_2fa,
    "gateway": gateway,
    "stall": stall,
    "unstall": unstall,
}
