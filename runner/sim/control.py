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

FARMS = {  # kind -> (down code, up code, farm name)
    "market": (2103, 2104, "usfarm"),
    "hmds": (2105, 2106, "ushmds"),
    "secdef": (2157, 2158, "secdefnj"),
}


def _status(server, req: dict) -> dict:
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
        "instruments": len(server.universe),
        "connectivity_ok": server.connectivity_ok,
        "working_orders": len(server.broker.working_orders()),
        "reply_delay_ms": server.reply_delay_s * 1000,
        "port": server.port,
    }


def _drop(server, req: dict) -> dict:
    ids = list(server.sessions) if req.get("client_id") is None else [int(req["client_id"])]
    return {"dropped": [cid for cid in ids if server.drop(cid)]}


def _connectivity_lost(server, req: dict) -> dict:
    server.connectivity_ok = False
    server.broadcast_error(1100, "Connectivity between IB and Trader Workstation has been lost.")
    return {}


def _connectivity_restored(server, req: dict) -> dict:
    server.connectivity_ok = True
    if req.get("data_lost"):
        for session in server.sessions.values():
            session.clear_subscriptions()
        server.broadcast_error(1101, "Connectivity between IB and TWS has been restored- data lost.")
    else:
        server.broadcast_error(1102, "Connectivity between IB and TWS has been restored- data maintained.")
    return {}


def _farm(server, req: dict) -> dict:
    down, up, default_name = FARMS[req.get("kind", "market")]
    name = req.get("name", default_name)
    if req.get("up", True):
        kind = "HMDS data" if down == 2105 else "Market data" if down == 2103 else "Sec-def data"
        server.broadcast_error(up, f"{kind} farm connection is OK:{name}")
    else:
        kind = "HMDS data" if down == 2105 else "Market data" if down == 2103 else "Sec-def data"
        server.broadcast_error(down, f"{kind} farm connection is broken:{name}")
    return {}


def _delay(server, req: dict) -> dict:
    server.reply_delay_s = float(req.get("ms", 0)) / 1000.0
    return {}


def _requests(server, req: dict) -> dict:
    """Requests received by message id (e.g. "9": reqContractDetails); `reset` starts again."""
    counts = dict(server.requests_received)
    if req.get("reset"):
        server.requests_received.clear()
    return {"counts": counts}


def _shock(server, req: dict) -> dict:
    """Move an instrument's price by a factor (e.g. 0.9 = -10 %) to trigger orders."""
    record = _record(server, req)
    server.market.overrides[record.conId] = float(req.get("factor", 1.0))
    server.market._quote_cache.pop(record.conId, None)
    return {"conId": record.conId, "quote": vars_of(server.market.quote(record, time.time()))}


def _quote(server, req: dict) -> dict:
    record = _record(server, req)
    return {"conId": record.conId, "quote": vars_of(server.market.quote(record, time.time()))}


def _record(server, req: dict):
    if req.get("conId"):
        record = server.universe.get(int(req["conId"]))
    else:
        matches = [
            r
            for r in server.universe.by_con_id.values()
            if r.localSymbol == req.get("localSymbol")
            or (r.symbol == req.get("symbol") and r.secType == req.get("secType", "STK"))
        ]
        record = matches[0] if len(matches) == 1 else None
    if record is None:
        raise ValueError("no unique instrument for the request")
    return record


def vars_of(quote) -> dict:
    return {k: getattr(quote, k) for k in ("bid", "ask", "bid_size", "ask_size", "last")}


def _positions(server, req: dict) -> dict:
    return {
        "positions": [
            {
                "account": a.name,
                "conId": p.record.conId,
                "localSymbol": p.record.localSymbol,
                "size": p.size,
                "avg_cost": p.avg_cost,
            }
            for a in server.broker.accounts.values()
            for p in a.positions.values()
            if p.size
        ]
    }


def _orders(server, req: dict) -> dict:
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
            for o in server.broker.orders.values()
        ]
    }


async def _burst(server, req: dict) -> dict:
    """Write `count` tickPrice messages of real simulated quotes to one client as fast as the
    socket takes them (throughput benchmark)."""
    from runner.sim import encoders as enc

    session = server.sessions[int(req["client_id"])]
    record = _record(server, req) if (req.get("conId") or req.get("symbol")) else server.universe.get(265598)
    count, req_id, batch = int(req.get("count", 100_000)), int(req.get("req_id", 1)), 2000
    started = time.perf_counter()
    cpu = time.process_time()
    for first in range(0, count, batch):
        frames = []
        for index in range(first, min(first + batch, count)):
            quote = server.market.quote_at(record, index, index * 0.25)
            frames.append(
                enc.tick_price(req_id, 1 + index % 2, quote.bid if index % 2 == 0 else quote.ask, quote.bid_size)
            )
        session.send(frames)
        await session.drain()
    return {"count": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


COMMANDS = {
    "ping": lambda server, req: {"pong": True},
    "status": _status,
    "drop": _drop,
    "connectivity_lost": _connectivity_lost,
    "connectivity_restored": _connectivity_restored,
    "farm": _farm,
    "delay": _delay,
    "requests": _requests,
    "auction": lambda server, req: {"filled": server.broker.run_auction()},
    "expire_day": lambda server, req: {"cancelled": server.broker.expire_day_orders()},
    "shock": _shock,
    "quote": _quote,
    "positions": _positions,
    "orders": _orders,
    "pacing_reset": lambda server, req: (server.pacing.reset(), {})[1],
}


ASYNC_COMMANDS = {"burst": _burst}


async def execute(server, req: dict) -> dict:
    name = str(req.get("cmd"))
    command = COMMANDS.get(name) or ASYNC_COMMANDS.get(name)
    if command is None:
        known = sorted([*COMMANDS, *ASYNC_COMMANDS])
        return {"ok": False, "error": f"unknown cmd {name!r}", "commands": known}
    try:
        result = command(server, req)
        if asyncio.iscoroutine(result):
            result = await result
        return {"ok": True, **result}
    except (KeyError, ValueError, TypeError) as exc:
        return {"ok": False, "error": str(exc)}


async def serve_control(server, host: str, port: int) -> asyncio.base_events.Server:
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

    def call(self, cmd: str, **args) -> dict:
        self._file.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        self._file.flush()
        reply = json.loads(self._file.readline())
        if not reply.get("ok"):
            raise RuntimeError(f"sim control {cmd}: {reply.get('error')}")
        return reply

    def drop(self, client_id: int | None = None) -> dict:
        return self.call("drop", client_id=client_id)

    def status(self) -> dict:
        return self.call("status")

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
