"""Streaming market data requests: quotes, tick-by-tick, depth, 5-second bars, and their cancels."""

from __future__ import annotations

import time

from runner.sim.handlers import streams
from runner.sim.handlers.base import Context, resolve_live
from runner.sim.protocol import encoders as enc
from runner.sim.protocol.requests import (
    MarketDataRequest,
    MarketDataTypeRequest,
    MarketDepthRequest,
    RealTimeBarsRequest,
    ReqId,
    TickByTickRequest,
)
from runner.sim.session import BarsSub, DepthSub, MarketDataSub, Session, TickByTickSub

BBO_EXCHANGE = "9c0001"


def served_data_type(ctx: Context, requested: int) -> int:
    """Live (1) or frozen (2) when the account has live permissions, else delayed (3/4)."""
    if ctx.config.live_data_permissions and requested in (3, 4):
        return requested - 2
    return requested


async def market_data(ctx: Context, session: Session, request: MarketDataRequest) -> None:
    req_id = request.req_id
    record = resolve_live(ctx, session, req_id, request.contract)
    if record is None:
        return
    sub = MarketDataSub(record, served_data_type(ctx, session.market_data_type))
    frames = [enc.market_data_type(req_id, sub.data_type), enc.tick_req_params(req_id, record.minTick, BBO_EXCHANGE)]
    frames += streams.initial_ticks(ctx, req_id, sub)
    if request.snapshot or request.regulatory_snapshot:
        frames.append(enc.tick_snapshot_end(req_id))
    else:
        session.mkt_data[req_id] = sub
    session.send(frames)


async def cancel_market_data(ctx: Context, session: Session, request: ReqId) -> None:
    session.mkt_data.pop(request.req_id, None)


async def market_data_type(ctx: Context, session: Session, request: MarketDataTypeRequest) -> None:
    session.market_data_type = request.data_type


async def tick_by_tick(ctx: Context, session: Session, request: TickByTickRequest) -> None:
    record = resolve_live(ctx, session, request.req_id, request.contract)
    if record is None:
        return
    sub = TickByTickSub(record, kind=request.tick_type)
    session.tick_by_tick[request.req_id] = sub
    now = ctx.world.hours.last_traded(record, time.time())  # a closed market: its last state
    session.send(streams.tick_by_tick_frames(ctx, request.req_id, sub, now, True))


async def cancel_tick_by_tick(ctx: Context, session: Session, request: ReqId) -> None:
    session.tick_by_tick.pop(request.req_id, None)


async def market_depth(ctx: Context, session: Session, request: MarketDepthRequest) -> None:
    record = resolve_live(ctx, session, request.req_id, request.contract)
    if record is None:
        return
    sub = DepthSub(record, rows=max(1, min(request.rows, 20)), smart=request.smart)
    session.depth[request.req_id] = sub
    session.send(streams.depth_frames(ctx, request.req_id, sub, ctx.world.hours.last_traded(record, time.time())))


async def cancel_market_depth(ctx: Context, session: Session, request: ReqId) -> None:
    session.depth.pop(request.req_id, None)


async def real_time_bars(ctx: Context, session: Session, request: RealTimeBarsRequest) -> None:
    record = resolve_live(ctx, session, request.req_id, request.contract)
    if record is not None:
        now = int(time.time())
        start = now - now % 5
        session.rt_bars[request.req_id] = BarsSub(
            record, what=request.what, last_bar_start=start, use_rth=request.use_rth
        )


async def cancel_real_time_bars(ctx: Context, session: Session, request: ReqId) -> None:
    session.rt_bars.pop(request.req_id, None)
