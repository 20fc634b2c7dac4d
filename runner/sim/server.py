"""The simulated gateway: asyncio TCP server, client sessions, dispatch and the market clock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Coroutine
from typing import Any

from runner.ib.error_codes import ErrorCode
from runner.sim.config import SimConfig
from runner.sim.handlers import clock
from runner.sim.handlers.base import Context
from runner.sim.handlers.orders import deliver_order_event
from runner.sim.handlers.routes import ROUTES
from runner.sim.limits import READER_LIMIT, ConnectionGate
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import requests
from runner.sim.protocol.handshake import HandshakeRefused, accept
from runner.sim.protocol.messages import ClientMsg
from runner.sim.protocol.wire import Fields, read_frame, split_fields
from runner.sim.session import Session
from runner.sim.stalls import StalledStreams
from runner.sim.world.events import OrderEvent
from runner.sim.world.state import World, WorldSettings

log = logging.getLogger("runner.sim")
START_API = str(int(ClientMsg.START_API))
FARM_STATUS = (
    (ErrorCode.MARKET_DATA_FARM_OK, "Market data farm connection is OK:usfarm"),
    (ErrorCode.HMDS_FARM_OK, "HMDS data farm connection is OK:ushmds"),
    (ErrorCode.SECDEF_FARM_OK, "Sec-def data farm connection is OK:secdefnj"),
)
CLIENT_ID_IN_USE = "Unable to connect as the client id is already in use. Retry with a unique client id."


def world_settings(config: SimConfig) -> WorldSettings:
    return WorldSettings(
        seed=config.seed,
        tick_interval_s=config.tick_interval_ms / 1000.0,
        universe_files=config.universe_files,
        accounts=config.accounts,
        initial_cash=config.initial_cash,
        base_currency=config.base_currency,
        pacing=config.pacing,
        always_open=config.market_hours == "always_open",
    )


class SimServer:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.sessions: dict[int, Session] = {}
        self.world = World(world_settings(config), self._order_event)
        self.context = Context(config, self.world, self.sessions)
        self.reply_delay_s = 0.0
        self.requests_received: Counter[str] = Counter()
        """Requests by message id (control `requests`), counted as they arrive."""
        self.connectivity_ok = True
        self.connections = ConnectionGate(config.max_connections)
        self.stalls = StalledStreams()
        self._server: asyncio.Server | None = None
        self._port = config.port
        self._tasks: list[asyncio.Task[None]] = []
        self.started_at = time.time()

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        await self.listen()
        self._tasks.append(asyncio.create_task(self._clock()))

    async def listen(self) -> None:
        """Accept API connections (again, on the same port, after a restart)."""
        self._server = await asyncio.start_server(self._handle, self.config.host, self._port, limit=READER_LIMIT)
        self._port = self._server.sockets[0].getsockname()[1]

    def refuse(self) -> int:
        """Stop listening (connections are refused, as while the gateway restarts) and cut every
        connection; returns how many were cut."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for session in self.sessions.values():
            session.abort()  # closed: nothing more is written to it
        self.sessions.clear()
        return self.connections.abort_all()

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a scenario's timed steps; cancelled when the simulator stops."""
        self._tasks.append(asyncio.create_task(work))
        self._tasks = [task for task in self._tasks if not task.done()]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            self.drop(session.client_id)

    # --- delivery -------------------------------------------------------------------
    def _order_event(self, event: OrderEvent) -> None:
        deliver_order_event(self.sessions, event)

    def broadcast_error(self, code: ErrorCode, text: str) -> None:
        for session in list(self.sessions.values()):
            session.send([enc.error(session.version, -1, code, text)])

    def drop(self, client_id: int) -> bool:
        session = self.sessions.pop(client_id, None)
        if session is None:
            return False
        session.abort()
        return True

    # --- the market clock -----------------------------------------------------------
    async def _clock(self) -> None:
        interval = self.world.market.tick_interval_s
        next_auction = time.time() + self.config.auction_interval_s
        while True:
            now = time.time()
            await asyncio.sleep(interval - now % interval)
            now = time.time()
            try:
                if self.connectivity_ok and self.world.gateway.accepting:
                    next_auction = clock.tick(self.context, now, next_auction)
            except Exception:
                log.exception("market clock step failed")

    # --- connections ----------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername"))
        if not self.connections.admit(writer):
            log.warning("refused %s: %d connections open already", peer, self.connections.limit)
            writer.transport.abort()
            return
        session = None
        try:
            session = await asyncio.wait_for(self._handshake(reader, writer, peer), self.config.handshake_timeout_s)
            if session is not None:
                await self._serve(reader, session)
        except HandshakeRefused as exc:
            log.warning("refused %s: %s", peer, exc)
        except TimeoutError:
            self.connections.timed_out += 1
            log.warning("closed %s: no startApi within %gs", peer, self.config.handshake_timeout_s)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            log.info("connection %s ended: %r", peer, exc)
        finally:
            self.connections.release(writer)
            if session is not None:
                self._leave(session)
            writer.close()

    def _leave(self, session: Session) -> None:
        if self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]
        session.closed = True

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str) -> Session | None:
        """Version negotiation and startApi, each frame at most `handshake_max_bytes`."""
        limit = self.config.handshake_max_bytes
        version = await accept(reader, writer, self.config.server_version_min, self.config.server_version_max, limit)
        return await self._start_api(reader, writer, version, peer, limit)

    async def _start_api(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, version: int, peer: str, limit: int
    ) -> Session | None:
        while True:
            fields = split_fields(await read_frame(reader, limit))
            if fields and fields[0] == START_API:
                break
        client_id = requests.start_api(Fields(fields[1:]), version).client_id
        if client_id in self.sessions:
            writer.write(enc.error(version, -1, ErrorCode.CLIENT_ID_IN_USE, CLIENT_ID_IN_USE))
            await writer.drain()
            return None
        session = Session(writer, version, client_id, peer)
        self.sessions[client_id] = session
        session.send(
            [enc.next_valid_id(self.world.broker.next_order_id), enc.managed_accounts(self.config.accounts)]
            + [enc.error(version, -1, code, text) for code, text in FARM_STATUS]
        )
        return session

    async def _serve(self, reader: asyncio.StreamReader, session: Session) -> None:
        # Each request is answered `reply_delay_s` after it arrived, like a network round trip:
        # requests are read as they come and answered in order, so outstanding ones overlap.
        inbox: asyncio.Queue[tuple[float, list[str]] | None] = asyncio.Queue()
        answering = asyncio.create_task(self._answer(session, inbox))
        try:
            while not session.closed:
                fields = split_fields(await read_frame(reader))
                if fields:
                    self.requests_received[fields[0]] += 1
                    inbox.put_nowait((time.monotonic() + self.reply_delay_s, fields))
        finally:
            # The client has gone: like IB, its client id is free at once (a reconnect with the
            # same id is not refused with 326 while replies wait out a `delay`), and what
            # arrived before it left still takes effect (an order sent is placed), unanswered.
            self._leave(session)
            inbox.put_nowait(None)
            await answering

    async def _answer(self, session: Session, inbox: asyncio.Queue[tuple[float, list[str]] | None]) -> None:
        while (item := await inbox.get()) is not None:
            due, fields = item
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("client %s -> %s", session.client_id, fields[:12])
            route = ROUTES.get(int(fields[0]) if fields[0].isdigit() else -1)
            if route is None:
                log.warning("client %s: unhandled message %s", session.client_id, fields[0])
                continue
            try:
                await route.handle(self.context, session, route.parse(Fields(fields[1:]), session.version))
            except Exception:  # one bad request must not kill the connection
                log.exception("client %s: request %s failed", session.client_id, fields[0])
                text = f"Error reading request: message id {fields[0]}"
                session.send([enc.error(session.version, -1, ErrorCode.ERROR_READING_REQUEST, text)])
            if session.congested():
                await session.drain()
