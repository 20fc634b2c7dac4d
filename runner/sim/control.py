"""Fault injection and inspection: a JSON-lines TCP control port on loopback.

Each request is one JSON object per line, e.g. {"cmd": "drop", "client_id": 1}; each reply is
one JSON object per line: {"ok": true, ...} or {"ok": false, "error": "..."}.
See runner/sim/README.md for the command list.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from runner.ib.error_codes import ErrorCode
from runner.sim import scenarios
from runner.sim.protocol import encoders as enc
from runner.sim.server import SimServer
from runner.sim.world.market import Quote
from runner.sim.world.records import ContractRecord

Request = dict[str, Any]
Reply = dict[str, Any]

FARMS = {  # kind -> (down code, up code, farm name, what IB calls it)
    "market": (ErrorCode.MARKET_DATA_FARM_BROKEN, ErrorCode.MARKET_DATA_FARM_OK, "usfarm", "Market data"),
    "hmds": (ErrorCode.HMDS_FARM_BROKEN, ErrorCode.HMDS_FARM_OK, "ushmds", "HMDS data"),
    "secdef": (ErrorCode.SECDEF_FARM_BROKEN, ErrorCode.SECDEF_FARM_OK, "secdefnj", "Sec-def data"),
}


def _status(server: SimServer, req: Request) -> Reply:
    return {
        "sessions": [
            {
                "client_id": s.client_id,
                "version": s.version,
                "peer": s.peer,
                "mkt_data": len(s.mkt_data),
                "messages_sent": s.sent_messages,
            }
            for s in server.sessions.values()
        ],
        "instruments": len(server.world.universe),
        "connectivity_ok": server.connectivity_ok,
        "working_orders": len(server.world.broker.working_orders()),
        "reply_delay_ms": server.reply_delay_s * 1000,
        "port": server.port,
    }


def _drop(server: SimServer, req: Request) -> Reply:
    ids = list(server.sessions) if req.get("client_id") is None else [int(req["client_id"])]
    return {"dropped": [cid for cid in ids if server.drop(cid)]}


def _connectivity_lost(server: SimServer, req: Request) -> Reply:
    server.connectivity_ok = False
    server.broadcast_error(ErrorCode.CONNECTIVITY_LOST, "Connectivity between IB and Trader Workstation has been lost.")
    return {}


def _connectivity_restored(server: SimServer, req: Request) -> Reply:
    server.connectivity_ok = True
    if req.get("data_lost"):
        for session in server.sessions.values():
            session.clear_subscriptions()
        server.broadcast_error(
            ErrorCode.CONNECTIVITY_RESTORED_DATA_LOST, "Connectivity between IB and TWS has been restored- data lost."
        )
    else:
        server.broadcast_error(
            ErrorCode.CONNECTIVITY_RESTORED_DATA_MAINTAINED,
            "Connectivity between IB and TWS has been restored- data maintained.",
        )
    return {}


def _farm(server: SimServer, req: Request) -> Reply:
    down, up, default_name, kind = FARMS[req.get("kind", "market")]
    name = req.get("name", default_name)
    if req.get("up", True):
        server.broadcast_error(up, f"{kind} farm connection is OK:{name}")
    else:
        server.broadcast_error(down, f"{kind} farm connection is broken:{name}")
    return {}


def _delay(server: SimServer, req: Request) -> Reply:
    server.reply_delay_s = float(req.get("ms", 0)) / 1000.0
    return {}


def _requests(server: SimServer, req: Request) -> Reply:
    """Requests received by message id (e.g. "9": reqContractDetails); `reset` starts again."""
    counts = dict(server.requests_received)
    if req.get("reset"):
        server.requests_received.clear()
    return {"counts": counts}


def _shock(server: SimServer, req: Request) -> Reply:
    """Move an instrument's price by a factor (e.g. 0.9 = -10 %) to trigger orders."""
    record = _record(server, req)
    server.world.market.shock(record.conId, float(req.get("factor", 1.0)))
    return {"conId": record.conId, "quote": vars_of(server.world.market.quote(record, time.time()))}


def _quote(server: SimServer, req: Request) -> Reply:
    record = _record(server, req)
    return {"conId": record.conId, "quote": vars_of(server.world.market.quote(record, time.time()))}


def _record(server: SimServer, req: Request) -> ContractRecord:
    universe = server.world.universe
    record: ContractRecord | None
    if req.get("conId"):
        record = universe.get(int(req["conId"]))
    else:
        matches = [
            r
            for r in universe.by_con_id.values()
            if r.localSymbol == req.get("localSymbol")
            or (r.symbol == req.get("symbol") and r.secType == req.get("secType", "STK"))
        ]
        record = matches[0] if len(matches) == 1 else None
    if record is None:
        raise ValueError("no unique instrument for the request")
    return record


def vars_of(quote: Quote) -> dict[str, float]:
    return {k: getattr(quote, k) for k in ("bid", "ask", "bid_size", "ask_size", "last")}


def _positions(server: SimServer, req: Request) -> Reply:
    return {
        "positions": [
            {
                "account": a.name,
                "conId": p.record.conId,
                "localSymbol": p.record.localSymbol,
                "size": p.size,
                "avg_cost": p.avg_cost,
            }
            for a in server.world.broker.accounts.values()
            for p in a.positions.values()
            if p.size
        ]
    }


def _orders(server: SimServer, req: Request) -> Reply:
    return {
        "orders": [
            {
                "client_id": o.client_id,
                "order_id": o.order_id,
                "perm_id": o.perm_id,
                "status": o.ib_status,
                "type": o.order_type,
                "tif": o.tif,
                "filled": o.filled,
                "remaining": o.remaining,
            }
            for o in server.world.broker.orders.values()
        ]
    }


AAPL_CON_ID = 265598


async def _burst(server: SimServer, req: Request) -> Reply:
    """Write `count` tickPrice messages of real simulated quotes to one client as fast as the
    socket takes them (throughput benchmark)."""
    session = server.sessions[int(req["client_id"])]
    market = server.world.market
    if req.get("conId") or req.get("symbol"):
        record = _record(server, req)
    else:
        default = server.world.universe.get(AAPL_CON_ID)
        assert default is not None  # in the shipped universe
        record = default
    count, req_id, batch = int(req.get("count", 100_000)), int(req.get("req_id", 1)), 2000
    started = time.perf_counter()
    cpu = time.process_time()
    for first in range(0, count, batch):
        frames = []
        for index in range(first, min(first + batch, count)):
            quote = market.quote_at(record, index, index * 0.25)
            frames.append(
                enc.tick_price(req_id, 1 + index % 2, quote.bid if index % 2 == 0 else quote.ask, quote.bid_size)
            )
        session.send(frames)
        await session.drain()
    return {"count": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


COMMANDS: dict[str, Callable[[SimServer, Request], Reply]] = {
    "ping": lambda server, req: {"pong": True},
    "status": _status,
    "drop": _drop,
    "connectivity_lost": _connectivity_lost,
    "connectivity_restored": _connectivity_restored,
    "farm": _farm,
    "delay": _delay,
    "requests": _requests,
    "auction": lambda server, req: {"filled": server.world.broker.run_auction()},
    "expire_day": lambda server, req: {"cancelled": server.world.broker.expire_day_orders()},
    "shock": _shock,
    "quote": _quote,
    "positions": _positions,
    "orders": _orders,
    "pacing_reset": lambda server, req: _pacing_reset(server),
}
ASYNC_COMMANDS: dict[str, Callable[[SimServer, Request], Awaitable[Reply]]] = {"burst": _burst, **scenarios.COMMANDS}


def _sequence(server: SimServer, req: Request) -> Reply:
    return scenarios.sequence(server, req, execute, [*COMMANDS, *ASYNC_COMMANDS])


def _flap(server: SimServer, req: Request) -> Reply:
    return _sequence(server, {"steps": scenarios.flap_steps(req)})


COMMANDS |= {"sequence": _sequence, "flap": _flap}


def _pacing_reset(server: SimServer) -> Reply:
    server.world.pacing.reset()
    return {}


async def execute(server: SimServer, req: Request) -> Reply:
    name = str(req.get("cmd"))
    try:
        if name in COMMANDS:
            result = COMMANDS[name](server, req)
        elif name in ASYNC_COMMANDS:
            result = await ASYNC_COMMANDS[name](server, req)
        else:
            known = sorted([*COMMANDS, *ASYNC_COMMANDS])
            return {"ok": False, "error": f"unknown cmd {name!r}", "commands": known}
        return {"ok": True, **result}
    except (KeyError, ValueError, TypeError) as exc:
        return {"ok": False, "error": str(exc)}


async def serve_control(server: SimServer, host: str, port: int) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    reply = await execute(server, json.loads(line))
                except json.JSONDecodeError as exc:
                    reply = {"ok": False, "error": f"bad JSON: {exc}"}
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)


class SimControl:
    """Blocking client of the control port: SimControl(port).call("drop", client_id=1)."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._file = self._sock.makefile("rwb")

    def call(self, cmd: str, **args: Any) -> Reply:
        self._file.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        self._file.flush()
        reply: Reply = json.loads(self._file.readline())
        if not reply.get("ok"):
            raise RuntimeError(f"sim control {cmd}: {reply.get('error')}")
        return reply

    def drop(self, client_id: int | None = None) -> Reply:
        return self.call("drop", client_id=client_id)

    def status(self) -> Reply:
        return self.call("status")

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
