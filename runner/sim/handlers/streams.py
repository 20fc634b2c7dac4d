"""What each market-data subscription receives: on subscribe and on every market clock tick."""

from __future__ import annotations

import time

from runner.sim.handlers.base import Context
from runner.sim.protocol import encoders as enc
from runner.sim.session import BarsSub, DepthLevel, DepthSub, MarketDataSub, Session, TickByTickSub
from runner.sim.world import history
from runner.sim.world.market import Quote, unit

# tick types: live, delayed (reqMarketDataType 3/4 use the delayed ones)
LIVE = {"bid": 1, "ask": 2, "last": 4, "high": 6, "low": 7, "volume": 8, "close": 9, "open": 14}
DELAYED = {"bid": 66, "ask": 67, "last": 68, "high": 72, "low": 73, "volume": 74, "close": 75, "open": 76}
NO_QUOTES = frozenset({"IND"})


def _types(sub: MarketDataSub) -> dict[str, int]:
    return DELAYED if sub.data_type in (3, 4) else LIVE


def initial_ticks(ctx: Context, req_id: int, sub: MarketDataSub) -> list[bytes]:
    record = sub.record
    now = ctx.world.hours.last_traded(record, time.time())  # a closed market shows its last quote
    market = ctx.world.market
    quote = market.quote(record, now)
    day = market.bar(record, int(now - now % 86_400) - 86_400, 86_400)
    types = _types(sub)
    frames = _quote_frames(req_id, sub, quote, force=True)
    frames += [
        enc.tick_price(req_id, types["high"], max(day.high, quote.ask), 0),
        enc.tick_price(req_id, types["low"], min(day.low, quote.bid), 0),
        enc.tick_price(req_id, types["close"], day.close, 0),
        enc.tick_price(req_id, types["open"], day.open, 0),
        enc.tick_size(req_id, types["volume"], quote.volume),
    ]
    sub.last = quote
    return frames


def _quote_frames(req_id: int, sub: MarketDataSub, quote: Quote, force: bool = False) -> list[bytes]:
    types = _types(sub)
    last = sub.last
    frames = []
    if sub.record.secType not in NO_QUOTES:
        if force or last is None or (last.bid, last.bid_size) != (quote.bid, quote.bid_size):
            frames.append(enc.tick_price(req_id, types["bid"], quote.bid, quote.bid_size))
        if force or last is None or (last.ask, last.ask_size) != (quote.ask, quote.ask_size):
            frames.append(enc.tick_price(req_id, types["ask"], quote.ask, quote.ask_size))
    if force or last is None or (last.last, last.last_size) != (quote.last, quote.last_size):
        frames.append(enc.tick_price(req_id, types["last"], quote.last, quote.last_size))
        frames.append(enc.tick_size(req_id, types["volume"], quote.volume))
    return frames


def tick_by_tick_frames(ctx: Context, req_id: int, sub: TickByTickSub, now: float, first: bool) -> list[bytes]:
    market = ctx.world.market
    quote = market.quote(sub.record, now)
    epoch = int(now)
    previous = sub.last_quote
    sub.last_quote = quote
    kind = sub.kind
    if kind == "BidAsk":
        if (
            first
            or previous is None
            or (previous.bid, previous.ask, previous.bid_size, previous.ask_size)
            != (quote.bid, quote.ask, quote.bid_size, quote.ask_size)
        ):
            return [enc.tick_by_tick_bid_ask(req_id, epoch, quote.bid, quote.ask, quote.bid_size, quote.ask_size)]
        return []
    if kind == "MidPoint":
        return [enc.tick_by_tick_midpoint(req_id, epoch, round(quote.mid, 10))]
    # Last / AllLast: a trade on most ticks, deterministic per seed
    index = market.tick_index(now)
    if first or unit(market.key(sub.record), index * 11 + 5) > -0.4:
        exchange = sub.record.primaryExchange or sub.record.exchange
        tick_type = 1 if kind == "Last" else 2
        return [enc.tick_by_tick_last(req_id, tick_type, epoch, quote.last, quote.last_size, exchange)]
    return []


def depth_frames(ctx: Context, req_id: int, sub: DepthSub, now: float) -> list[bytes]:
    """Full book on subscribe (insert), then changed levels (update)."""
    market = ctx.world.market
    quote = market.quote(sub.record, now)
    key = market.key(sub.record)
    index = market.tick_index(now)
    tick = sub.record.minTick
    book: list[DepthLevel] = []
    for level in range(sub.rows):
        for side, top in ((1, quote.bid), (0, quote.ask)):
            price = round(top - level * tick if side == 1 else top + level * tick, 10)
            size = max(1, int(quote.bid_size * (1 + level) * (1.2 + unit(key, index * 64 + level * 2 + side))))
            book.append((level, side, price, size))
    operation = 0 if sub.book is None else 1
    changed = [b for i, b in enumerate(book) if sub.book is None or sub.book[i] != b]
    sub.book = book
    maker = sub.record.primaryExchange or sub.record.exchange
    if sub.smart or sub.record.secType == "STK":
        return [
            enc.market_depth_l2(req_id, level, maker, operation, side, price, size, sub.smart)
            for level, side, price, size in changed
        ]
    return [enc.market_depth(req_id, level, operation, side, price, size) for level, side, price, size in changed]


def real_time_bar_frames(ctx: Context, req_id: int, sub: BarsSub, now: float) -> list[bytes]:
    """Every 5-second bar completed since the last one sent, while the market trades (regular
    hours only with useRTH)."""
    frames = []
    hours = ctx.world.hours
    while sub.last_bar_start + 5 <= now:
        if hours.is_open(sub.record, sub.last_bar_start, sub.use_rth):
            bar = ctx.world.market.bar(sub.record, sub.last_bar_start, 5)
            frames.append(enc.real_time_bar(req_id, history.adjusted(bar, sub.record, sub.what)))
        sub.last_bar_start += 5
    return frames


def live_bar_frames(ctx: Context, req_id: int, sub: BarsSub, now: float) -> list[bytes]:
    """keepUpToDate: the current (growing) bar; a new bar starts at each boundary (and at the
    session's open). Nothing while the market is closed."""
    hours = ctx.world.hours
    if not hours.is_open(sub.record, now, sub.use_rth):
        return []
    start = int(now) - int(now) % sub.bar_seconds
    for opens, closes, _ in hours.windows(sub.record, now, now + 1, sub.use_rth):
        if opens <= now < closes:
            start = max(start, opens)
    length = max(int(now) - start, 1)
    bar = history.adjusted(ctx.world.market.bar(sub.record, start, length), sub.record, sub.what)
    sub.last_bar_start = start
    return [enc.historical_data_update(req_id, enc.bar_time(start, sub.bar_seconds, sub.format_date), bar)]


def stream_session(ctx: Context, session: Session, now: float) -> None:
    if session.congested():
        return  # a slow reader loses ticks rather than growing our memory
    market = ctx.world.market
    is_open = ctx.world.hours.is_open  # a closed market: no trades, quotes and books stay as they were
    frames: list[bytes] = []
    for req_id, sub in session.mkt_data.items():
        if is_open(sub.record, now):
            quote = market.quote(sub.record, now)
            frames += _quote_frames(req_id, sub, quote)
            sub.last = quote
    for req_id, tbt in session.tick_by_tick.items():
        if is_open(tbt.record, now):
            frames += tick_by_tick_frames(ctx, req_id, tbt, now, False)
    for req_id, depth in session.depth.items():
        if is_open(depth.record, now):
            frames += depth_frames(ctx, req_id, depth, now)
    for req_id, bars in session.rt_bars.items():
        frames += real_time_bar_frames(ctx, req_id, bars, now)
    for req_id, live in session.hist_live.items():
        frames += live_bar_frames(ctx, req_id, live, now)
    session.send(frames)
