"""One tick of the market clock: stream every session's subscriptions, match orders, run a due
auction, push account and PnL updates."""

from __future__ import annotations

from runner.sim.handlers.account import stream_account
from runner.sim.handlers.base import Context
from runner.sim.handlers.streams import stream_session


def tick(ctx: Context, now: float, next_auction: float) -> float:
    """Returns when the next auction is due."""
    for session in list(ctx.sessions.values()):
        stream_session(ctx, session, now)
    broker = ctx.world.broker
    broker.on_tick(now)
    if now >= next_auction:
        broker.run_auction(now)
        next_auction = now + ctx.config.auction_interval_s
    stream_account(ctx, now)
    return next_auction
