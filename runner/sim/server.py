"""The simulated gateway: asyncio TCP server, client sessions, dispatch and the market clock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

from runner.sim import encoders as enc
from runner.sim import handlers_account, handlers_data, streams
from runner.sim.broker import Broker
from runner.sim.config import SimConfig
from runner.sim.handshake import HandshakeRefused, accept
from runner.sim.market import Market
from runner.sim.pacing import PacingGuard
from runner.sim.session import Session
from runner.sim.universe import build_universe
from runner.sim.wire import Fields, read_frame, split_fields

log = logging.getLogger("runner.sim")
START_API = 71
FARM_STATUS = (
    (2104, "Market data farm connection is OK:usfarm"),
    (2106, "HMDS data farm connection is OK:ushmds"),
    (2158, "Sec-def data farm connection is OK:secdefnj"),
)


class SimServer:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.universe = build_universe(config.universe_files)
        self.market = Market(config.seed, config.tick_interval_ms / 1000.0, self.universe)
        self.broker = Broker(self.market, config.accounts, config.initial_cash, config.base_currency, self.deliver)
        self.pacing = PacingGuard(config.pacing)
        self.sessions: dict[int, Session] = {}
        self.reply_delay_s = 0.0
        self.requests_received: Counter[str] = Counter()
        """Requests by message id (control `requests`), counted as they arrive."""
        self.connectivity_ok = True
        self.handlers = {**handlers_data.HANDLERS, **handlers_account.HANDLERS}
        self._server: asyncio.base_events.Server | None = None
        self._tasks: list[asyncio.Task] = []
        self.started_at = time.time()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.config.host, self.config.port, limit=2**20)
        self._tasks.append(asyncio.create_task(streams.clock(self)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            self.drop(session.client_id)

    # --- delivery -------------------------------------------------------------------
    def deliver(self, client_id: int, build) -> None:
        """Send order/account frames to the owning client and to master (id 0) clients."""
        for session in list(self.sessions.values()):
            if session.client_id == client_id or session.client_id == 0:
                session.send(build(session.version))

    def broadcast_error(self, code: int, text: str) -> None:
        for session in list(self.sessions.values()):
            session.send([enc.error(session.version, -1, code, text)])

    def drop(self, client_id: int) -> bool:
        session = self.sessions.pop(client_id, None)
        if session is None:
            return False
        session.closed = True
        transport = session.writer.transport
        if transport is not None:
            transport.abort()  # an abrupt close, as when the gateway dies
        return True

    # --- connections ----------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername"))
        session = None
        try:
            version = await accept(reader, writer, self.config.server_version_min, self.config.server_version_max)
            session = await self._start_api(reader, writer, version, peer)
            if session is not None:
                await self._serve(reader, session)
        except HandshakeRefused as exc:
            log.warning("refused %s: %s", peer, exc)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            log.info("connection %s ended: %r", peer, exc)
        finally:
            if session is not None and self.sessions.get(session.client_id) is session:
                del self.sessions[session.client_id]
            if session is not None:
                session.closed = True
            writer.close()

    async def _start_api(self, reader, writer, version: int, peer: str) -> Session | None:
        while True:
            fields = split_fields(await read_frame(reader))
            if fields and fields[0] == str(START_API):
                break
        f = Fields(fields[1:])
        f.skip()  # VERSION
        client_id = f.int()
        if client_id in self.sessions:
            writer.write(
                enc.error(
                    version,
                    -1,
                    326,
                    "Unable to connect as the client id is already in use. Retry with a unique client id.",
                )
            )
            await writer.drain()
            return None
        session = Session(writer, version, client_id, peer)
        self.sessions[client_id] = session
        session.send(
            [enc.next_valid_id(self.broker.next_order_id), enc.managed_accounts(self.config.accounts)]
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
            inbox.put_nowait(None)  # what arrived before the client left is still answered
            await answering

    async def _answer(self, session: Session, inbox: asyncio.Queue[tuple[float, list[str]] | None]) -> None:
        while (item := await inbox.get()) is not None:
            due, fields = item
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("client %s -> %s", session.client_id, fields[:12])
            handler = self.handlers.get(int(fields[0]) if fields[0].isdigit() else -1)
            if handler is None:
                log.debug("client %s: unhandled message %s", session.client_id, fields[0])
                continue
            try:
                await handler(self, session, Fields(fields[1:]))
            except Exception:  # one bad request must not kill the connection
                log.exception("client %s: request %s failed", session.client_id, fields[0])
                session.send([enc.error(session.version, -1, 320, f"Error reading request: message id {fields[0]}")])
            if session.congested():
                await session.drain()
