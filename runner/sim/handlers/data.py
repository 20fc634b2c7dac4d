"""Handlers for contract and market-data requests."""

from __future__ import annotations

import asyncio
import time

from runner.sim.handlers import streams
from runner.sim.protocol import encoders as enc
from runner.sim.protocol.requests import (
    contract_common,
    contract_details_request,
    historical_data_request,
    historical_ticks_request,
    market_data_request,
    market_depth_request,
    real_time_bars_request,
    tick_by_tick_request,
)
from runner.sim.session import MarketDataSub, StreamSub
from runner.sim.world import history
from runner.sim.world.universe import ContractQuery

NO_SECURITY = "No security definition has been found for the request"


async def send_paced(server, session, frames: list[bytes]) -> None:
    """Write a large reply in batches: clients choke on big unread backlogs."""
    size = max(server.config.reply_batch_size, 1)
    pause = server.config.reply_batch_pause_ms / 1000.0
    for start in range(0, len(frames), size):
        session.send(frames[start : start + size])
        await session.drain()
        if start + size < len(frames):
            await asyncio.sleep(pause)


def resolve_one(server, session, req_id: int, query: ContractQuery):
    """The single record a streaming/historical request refers to, or error 200."""
    matches = server.universe.match(query)
    if len(matches) == 1:
        return matches[0]
    text = NO_SECURITY if not matches else "The contract description specified is ambiguous"
    session.send([enc.error(session.version, req_id, 200, text)])
    return None


async def contract_details(server, session, f) -> None:
    req_id, query = contract_details_request(f, session.version)
    matches = server.universe.match(query)
    if not matches:
        session.send([enc.error(session.version, req_id, 200, NO_SECURITY)])
        return
    days = enc.trading_days()
    frames = [
        enc.bond_contract_data(session.version, req_id, r, days)
        if r.secType == "BOND"
        else enc.contract_data(session.version, req_id, r, days)
        for r in matches
    ]
    frames.append(enc.contract_data_end(req_id))
    await send_paced(server, session, frames)


async def sec_def_opt_params(server, session, f) -> None:
    req_id, symbol, fut_fop_exchange = f.int(), f.str(), f.str()
    f.skip()  # underlying secType
    con_id = f.int()
    if not con_id:
        under = server.universe.match(ContractQuery(symbol=symbol))
        con_id = under[0].conId if under else 0
    frames = [
        enc.sec_def_opt_params(req_id, exchange, con_id, trading_class, multiplier, expiries, strikes)
        for exchange, trading_class, multiplier, expiries, strikes in server.universe.option_chain_params(
            con_id, fut_fop_exchange
        )
    ]
    frames.append(enc.sec_def_opt_params_end(req_id))
    await send_paced(server, session, frames)


def served_data_type(server, requested: int) -> int:
    """Live (1) or frozen (2) when the account has live permissions, else delayed (3/4)."""
    if server.config.live_data_permissions and requested in (3, 4):
        return requested - 2
    return requested


async def market_data(server, session, f) -> None:
    r = market_data_request(f)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is None:
        return
    sub = MarketDataSub(record, served_data_type(server, session.market_data_type))
    frames = [
        enc.market_data_type(r["req_id"], sub.data_type),
        enc.tick_req_params(r["req_id"], record.minTick, "9c0001"),
    ]
    frames += streams.initial_ticks(server, r["req_id"], sub)
    if r["snapshot"] or r["regulatory"]:
        frames.append(enc.tick_snapshot_end(r["req_id"]))
    else:
        session.mkt_data[r["req_id"]] = sub
    session.send(frames)


async def cancel_market_data(server, session, f) -> None:
    f.skip()
    session.mkt_data.pop(f.int(), None)


async def market_data_type(server, session, f) -> None:
    f.skip()
    session.market_data_type = f.int(1)


async def tick_by_tick(server, session, f) -> None:
    r = tick_by_tick_request(f)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is None:
        return
    sub = StreamSub(record, kind=r["type"])
    session.tick_by_tick[r["req_id"]] = sub
    session.send(streams.tick_by_tick_frames(server, r["req_id"], sub, time.time(), True))


async def cancel_tick_by_tick(server, session, f) -> None:
    session.tick_by_tick.pop(f.int(), None)


async def market_depth(server, session, f) -> None:
    r = market_depth_request(f, session.version)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is None:
        return
    sub = StreamSub(record, rows=max(1, min(r["rows"], 20)), smart=r["smart"])
    session.depth[r["req_id"]] = sub
    session.send(streams.depth_frames(server, r["req_id"], sub, time.time()))


async def cancel_market_depth(server, session, f) -> None:
    f.skip()
    session.depth.pop(f.int(), None)


async def real_time_bars(server, session, f) -> None:
    r = real_time_bars_request(f)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is not None:
        now = int(time.time())
        session.rt_bars[r["req_id"]] = StreamSub(record, what=r["what"], last_bar_start=now - now % 5)


async def cancel_real_time_bars(server, session, f) -> None:
    f.skip()
    session.rt_bars.pop(f.int(), None)


async def historical_data(server, session, f) -> None:
    r = historical_data_request(f)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is None or not history.pacing_ok(server, session, r, record):
        return
    frames = history.bars_reply(server, session, r, record)
    if frames:
        await send_paced(server, session, frames)


async def cancel_historical_data(server, session, f) -> None:
    f.skip()
    session.hist_live.pop(f.int(), None)


async def historical_ticks(server, session, f) -> None:
    r = historical_ticks_request(f)
    record = resolve_one(server, session, r["req_id"], r["contract"])
    if record is None or not history.pacing_ok(server, session, r, record):
        return
    session.send(history.ticks_reply(server, r, record))


async def head_timestamp(server, session, f) -> None:
    req_id = f.int()
    query = contract_common(f)
    record = resolve_one(server, session, req_id, query)
    if record is not None:
        session.send(
            [enc.head_timestamp(req_id, time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(time.time() - 2 * 365 * 86_400)))]
        )


async def current_time(server, session, f) -> None:
    session.send([enc.current_time(int(time.time()))])


async def current_time_millis(server, session, f) -> None:
    session.send([enc.current_time_millis(int(time.time() * 1000))])


async def mkt_depth_exchanges(server, session, f) -> None:
    from runner.sim.protocol.wire import frame

    rows = [
        ("ISLAND", "STK", "", "Deep2", 1),
        ("CME", "FUT", "", "Deep", 1),
        ("IDEALPRO", "CASH", "", "Deep", 1),
        ("PAXOS", "CRYPTO", "", "Deep2", 1),
    ]
    fields: list[object] = [80, len(rows)]
    for row in rows:
        fields += list(row)
    session.send([frame(fields)])


async def user_info(server, session, f) -> None:
    from runner.sim.protocol.wire import frame

    session.send([frame([107, f.int(), ""])])


async def start_api_again(server, session, f) -> None:
    """A second startApi on a live connection is ignored, as by the gateway."""


HANDLERS = {
    1: market_data,
    2: cancel_market_data,
    9: contract_details,
    10: market_depth,
    11: cancel_market_depth,
    20: historical_data,
    25: cancel_historical_data,
    49: current_time,
    50: real_time_bars,
    51: cancel_real_time_bars,
    59: market_data_type,
    71: start_api_again,
    78: sec_def_opt_params,
    82: mkt_depth_exchanges,
    87: head_timestamp,
    96: historical_ticks,
    97: tick_by_tick,
    98: cancel_tick_by_tick,
    104: user_info,
    105: current_time_millis,
}
