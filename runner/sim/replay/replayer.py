"""`ibrun sim --replay FILE`: serve TWS API clients from a recording instead of the simulated world.

Each live connection is paired with a recorded one (same client id first). The handshake answers
at the recorded server version. Every recorded server message is attributed to the client request
that caused it (the request carrying its request/order id; for messages without one, the request
that makes a gateway send them; else the latest request before it). When the live client sends a
request, the best-matching unused recorded request of the same kind is found by content (its ids
mapped both ways, placeOrder's orderRef aside, at most a few differing fields, e.g. a time or a
limit price), and that request's replies are sent with the recorded ids, orderRefs and account
placeholders replaced by the live ones, re-timed from the live request at the recorded pace
divided by `speed` (0: at once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from runner.ib.error_codes import ErrorCode
from runner.sim.config import SimConfig
from runner.sim.protocol import encoders as enc
from runner.sim.protocol.handshake import HandshakeRefused, accept
from runner.sim.protocol.messages import ClientMsg, ServerMsg
from runner.sim.protocol.wire import frame, read_frame, split_fields
from runner.sim.replay.ids import ORDER_REF, PRODUCERS, request_ids, server_ids
from runner.sim.replay.recording import Connection, Event, read_recording
from runner.sim.replay.scrub import ACCOUNT

log = logging.getLogger("runner.sim.replay")
MAX_DIFFERING_FIELDS = 3
NO_RECORDED_ANSWER = "Error validating request:-'replay' : cause - the recording has no answer for this request"
_EXEC_ID, _COMMISSION_EXEC_ID = 14, 2


@dataclass
class Script:
    """One recorded connection, ready to replay."""

    conn: Connection
    replies: dict[int, list[Event]]
    """index of a client request in conn.events → the server messages it caused."""
    by_msg: dict[str, list[int]]


def _trigger(conn: Connection, index: int, state: dict[str, dict[object, int]]) -> int | None:
    event = conn.events[index]
    msg = int(event.fields[0]) if event.fields[0].isdigit() else -1
    for position, kind in server_ids(msg, conn.server_version):
        value = event.fields[position] if position < len(event.fields) else ""
        for wanted in ("order", "req") if kind == "any" else (kind,):
            if (wanted, value) in state["ids"]:
                return state["ids"][(wanted, value)]
    if msg == ServerMsg.COMMISSION_AND_FEES_REPORT and len(event.fields) > _COMMISSION_EXEC_ID:
        found = state["execs"].get(event.fields[_COMMISSION_EXEC_ID])
        if found is not None:
            return found
    for producer in PRODUCERS.get(msg, ()):
        if producer in state["msgs"]:
            return state["msgs"][producer]
    return state["last"].get("any")


def prepare(conn: Connection) -> Script:
    state: dict[str, dict[object, int]] = {"ids": {}, "msgs": {}, "execs": {}, "last": {}}
    replies: dict[int, list[Event]] = defaultdict(list)
    by_msg: dict[str, list[int]] = defaultdict(list)
    for index, event in enumerate(conn.events):
        if event.direction == "client":
            msg = int(event.fields[0]) if event.fields[0].isdigit() else -1
            for position, kind in request_ids(msg, conn.server_version):
                if position < len(event.fields):
                    state["ids"][(kind, event.fields[position])] = index
            state["msgs"][msg] = index
            state["last"]["any"] = index
            by_msg[event.fields[0]].append(index)
            continue
        trigger = _trigger(conn, index, state)
        if trigger is None:
            continue  # before any request: nothing a client asked for
        replies[trigger].append(event)
        if event.fields[0] == str(int(ServerMsg.EXECUTION_DATA)) and len(event.fields) > _EXEC_ID:
            state["execs"][event.fields[_EXEC_ID]] = trigger
    return Script(conn, dict(replies), dict(by_msg))


@dataclass
class LiveConnection:
    script: Script
    speed: float
    accounts: dict[str, str]
    """recorded placeholder → live account."""
    used: set[int] = field(default_factory=set)
    to_recorded: dict[str, dict[str, str]] = field(default_factory=lambda: {"req": {}, "order": {}})
    to_live: dict[str, dict[str, str]] = field(default_factory=lambda: {"req": {}, "order": {}})
    order_refs: dict[str, str] = field(default_factory=dict)
    """recorded orderRef → live orderRef."""

    @property
    def version(self) -> int:
        return self.script.conn.server_version

    def _normalized(self, fields: list[str]) -> list[str]:
        to_placeholder = {live: placeholder for placeholder, live in self.accounts.items()}
        return [to_placeholder.get(value, value) for value in fields]

    def match(self, fields: list[str]) -> int | None:
        msg = fields[0]
        positions = request_ids(int(msg) if msg.isdigit() else -1, self.version)
        skip = {position for position, _ in positions} | (
            {ORDER_REF} if msg == str(int(ClientMsg.PLACE_ORDER)) else set()
        )
        live = self._normalized(fields)
        best: tuple[int, int] | None = None
        for index in self.script.by_msg.get(msg, ()):
            if index in self.used:
                continue
            recorded = self.script.conn.events[index].fields
            if not self._ids_fit(live, recorded, positions):
                continue
            width = max(len(live), len(recorded))
            differing = sum(1 for i in range(width) if i not in skip and _at(live, i) != _at(recorded, i))
            if differing <= MAX_DIFFERING_FIELDS and (best is None or differing < best[0]):
                best = (differing, index)
        return None if best is None else best[1]

    def _ids_fit(self, live: list[str], recorded: tuple[str, ...], positions: list[tuple[int, str]]) -> bool:
        for position, kind in positions:
            live_id, recorded_id = _at(live, position), _at(recorded, position)
            mapped = self.to_recorded[kind].get(live_id)
            if mapped is not None and mapped != recorded_id:
                return False
            if mapped is None and recorded_id in self.to_live[kind]:
                return False  # that recorded id already belongs to another live id
        return True

    def bind(self, fields: list[str], index: int) -> None:
        self.used.add(index)
        recorded = self.script.conn.events[index].fields
        for position, kind in request_ids(int(fields[0]), self.version):
            live_id, recorded_id = _at(fields, position), _at(recorded, position)
            self.to_recorded[kind][live_id] = recorded_id
            self.to_live[kind][recorded_id] = live_id
        if fields[0] == str(int(ClientMsg.PLACE_ORDER)) and _at(recorded, ORDER_REF):
            self.order_refs[_at(recorded, ORDER_REF)] = _at(fields, ORDER_REF)

    def rewrite(self, fields: tuple[str, ...]) -> list[str]:
        """A recorded server message with the live ids, orderRefs and accounts."""
        out = list(fields)
        msg = int(out[0]) if out[0].isdigit() else -1
        for position, kind in server_ids(msg, self.version):
            if position >= len(out):
                continue
            for wanted in ("order", "req") if kind == "any" else (kind,):
                live = self.to_live[wanted].get(out[position])
                if live is not None:
                    out[position] = live
                    break
        for i, value in enumerate(out):
            if value in self.order_refs:
                out[i] = self.order_refs[value]
            elif self.accounts and any(c.isdigit() for c in value):
                out[i] = ACCOUNT.sub(lambda m: self.accounts.get(m.group(0), m.group(0)), value)
        return out


def _at(fields: list[str] | tuple[str, ...], index: int) -> str:
    return fields[index] if index < len(fields) else ""


class ReplayServer:
    """Serves the recording on `config.port` (the same shape as SimServer for `app.serve`)."""

    def __init__(self, config: SimConfig) -> None:
        assert config.replay_file is not None
        self.config = config
        recording = read_recording(Path(config.replay_file))
        self.scripts = [prepare(conn) for conn in recording.connections if conn.server_version]
        if not self.scripts:
            raise ValueError(f"recording {config.replay_file} holds no connection to replay")
        recorded_accounts = _managed_accounts(recording.connections)
        self.placeholders = dict(zip(recorded_accounts, config.accounts, strict=False))
        """The recording's (scrubbed) accounts → the ones this replay presents (`--account`)."""
        self._used: set[int] = set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.config.host, self.config.port, limit=2**20)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()

    def _pick(self, client_id: int) -> Script:
        candidates = [i for i, s in enumerate(self.scripts) if s.conn.client_id == client_id and i not in self._used]
        candidates = candidates or [i for i in range(len(self.scripts)) if i not in self._used]
        if not candidates:  # more connections than recorded: replay the last one with this id again
            same = [i for i, s in enumerate(self.scripts) if s.conn.client_id == client_id]
            candidates = same[-1:] or [len(self.scripts) - 1]
        self._used.add(candidates[0])
        return self.scripts[candidates[0]]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version = self.scripts[0].conn.server_version
        try:
            await accept(reader, writer, version, version, self.config.handshake_max_bytes)
            await self._serve(reader, writer)
        except HandshakeRefused as exc:
            log.warning("replay refused a client: %s (the recording is at version %s)", exc, version)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            log.info("replay connection ended: %r", exc)
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        live: LiveConnection | None = None
        while True:
            fields = split_fields(await read_frame(reader))
            if not fields:
                continue
            if live is None:
                if fields[0] != str(int(ClientMsg.START_API)):
                    continue
                client_id = int(fields[2]) if len(fields) > 2 and fields[2].lstrip("-").isdigit() else 0
                live = LiveConnection(self._pick(client_id), self.config.replay_speed, self.placeholders)
            self._answer(live, fields, writer)

    def _answer(self, live: LiveConnection, fields: list[str], writer: asyncio.StreamWriter) -> None:
        index = live.match(fields)
        if index is None:
            log.warning("replay: no recorded answer for request %s", fields[:6])
            positions = request_ids(int(fields[0]) if fields[0].isdigit() else -1, live.version)
            if positions:
                req_id = int(_at(fields, positions[0][0]) or -1)
                code = ErrorCode.ORDER_REJECTED if positions[0][1] == "order" else ErrorCode.ERROR_VALIDATING_REQUEST
                writer.write(enc.error(live.version, req_id, code, NO_RECORDED_ANSWER))
            return
        live.bind(fields, index)
        replies = live.script.replies.get(index, [])
        if replies:
            started = live.script.conn.events[index].t
            task = asyncio.create_task(self._emit(live, replies, started, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _emit(
        self, live: LiveConnection, replies: list[Event], recorded_start: float, writer: asyncio.StreamWriter
    ) -> None:
        began = time.monotonic()
        for event in replies:
            if live.speed > 0:
                wait = began + (event.t - recorded_start) / live.speed - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            if writer.is_closing():
                return
            writer.write(frame(live.rewrite(event.fields)))
        with contextlib.suppress(ConnectionError):
            await writer.drain()


def _managed_accounts(connections: list[Connection]) -> list[str]:
    """The accounts the recorded gateway managed (placeholders such as DU0000001 when scrubbed)."""
    found: list[str] = []
    for conn in connections:
        for event in conn.events:
            if event.direction == "server" and event.fields[:1] == (str(int(ServerMsg.MANAGED_ACCTS)),):
                for account in _at(event.fields, 2).split(","):
                    if account and account not in found:
                        found.append(account)
    return found
