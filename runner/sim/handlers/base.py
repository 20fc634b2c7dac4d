"""What every handler works with: the context (config, world, sessions) and reply helpers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from runner.ib.error_codes import ErrorCode
from runner.sim.config import SimConfig
from runner.sim.protocol import encoders as enc
from runner.sim.session import Session
from runner.sim.world.records import ContractRecord
from runner.sim.world.state import World
from runner.sim.world.universe import ContractQuery

NO_SECURITY = "No security definition has been found for the request"


@dataclass(frozen=True)
class Context:
    """What a handler may touch: the settings, the simulated world and the connected sessions."""

    config: SimConfig
    world: World
    sessions: dict[int, Session]


def send_error(session: Session, req_id: int, code: ErrorCode, text: str) -> None:
    session.send([enc.error(session.version, req_id, code, text)])


async def send_paced(ctx: Context, session: Session, frames: list[bytes]) -> None:
    """Write a large reply in batches: clients choke on big unread backlogs."""
    size = max(ctx.config.reply_batch_size, 1)
    pause = ctx.config.reply_batch_pause_ms / 1000.0
    for start in range(0, len(frames), size):
        session.send(frames[start : start + size])
        await session.drain()
        if start + size < len(frames):
            await asyncio.sleep(pause)


def resolve_one(ctx: Context, session: Session, req_id: int, query: ContractQuery) -> ContractRecord | None:
    """The single record a streaming/historical request refers to, or error 200."""
    matches = ctx.world.universe.match(query)
    if len(matches) == 1:
        return matches[0]
    text = NO_SECURITY if not matches else "The contract description specified is ambiguous"
    send_error(session, req_id, ErrorCode.NO_SECURITY_DEFINITION, text)
    return None


def resolve_live(ctx: Context, session: Session, req_id: int, query: ContractQuery) -> ContractRecord | None:
    """Like `resolve_one`, for streams and orders: an expired contract no longer trades (200)."""
    record = resolve_one(ctx, session, req_id, query)
    if record is not None and record.expired:
        send_error(session, req_id, ErrorCode.NO_SECURITY_DEFINITION, NO_SECURITY)
        return None
    return record
