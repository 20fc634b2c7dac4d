"""Requests about the gateway itself: its clock, depth exchanges, user info, a repeated startApi."""

from __future__ import annotations

import time

from runner.sim.handlers.base import Context
from runner.sim.protocol import encoders as enc
from runner.sim.protocol.requests import ReqId
from runner.sim.session import Session

DEPTH_EXCHANGES = [
    ("ISLAND", "STK", "", "Deep2", 1),
    ("CME", "FUT", "", "Deep", 1),
    ("IDEALPRO", "CASH", "", "Deep", 1),
    ("PAXOS", "CRYPTO", "", "Deep2", 1),
]


async def current_time(ctx: Context, session: Session, request: None) -> None:
    session.send([enc.current_time(int(time.time()))])


async def current_time_millis(ctx: Context, session: Session, request: None) -> None:
    session.send([enc.current_time_millis(int(time.time() * 1000))])


async def mkt_depth_exchanges(ctx: Context, session: Session, request: None) -> None:
    session.send([enc.mkt_depth_exchanges(DEPTH_EXCHANGES)])


async def user_info(ctx: Context, session: Session, request: ReqId) -> None:
    session.send([enc.user_info(request.req_id, "")])


async def start_api_again(ctx: Context, session: Session, request: None) -> None:
    """A second startApi on a live connection is ignored, as by the gateway."""
