"""Historical data requests: bars (+ keepUpToDate), ticks and the head timestamp; pacing (162)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from runner.ib.error_codes import ErrorCode
from runner.sim.handlers.base import Context, resolve_one, send_error, send_paced
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import encoders_more as menc
from runner.sim.protocol.messages import ServerVersion
from runner.sim.protocol.requests import HeadTimestampRequest, HistoricalDataRequest, HistoricalTicksRequest, ReqId
from runner.sim.session import BarsSub, Session
from runner.sim.world import history
from runner.sim.world.records import ContractRecord
from runner.sim.world.times import RequestError, parse_bar_size, parse_duration, parse_time

HEAD_TIMESTAMP_AGE_S = 2 * 365 * 86_400


def _paced(ctx: Context, session: Session, req_id: int, key: str, record: ContractRecord) -> bool:
    """Record the request with the pacing rules; error 162 (and False) when it breaks one."""
    problem = ctx.world.pacing.check(f"{key}|{record.conId}", str(record.conId), time.monotonic())
    if problem:
        send_error(session, req_id, ErrorCode.HISTORICAL_DATA, problem)
    return problem is None


async def historical_data(ctx: Context, session: Session, request: HistoricalDataRequest) -> None:
    r = request
    record = resolve_one(ctx, session, r.req_id, r.contract)
    if record is None:
        return
    key = f"bars|{r.end}|{r.duration}|{r.bar_size}|{r.what}|{r.use_rth}"
    if not _paced(ctx, session, r.req_id, key, record):
        return
    frames = _bars_reply(ctx, session, request, record)
    await send_paced(ctx, session, frames)


def _bars_reply(ctx: Context, session: Session, r: HistoricalDataRequest, record: ContractRecord) -> list[bytes]:
    version, req_id = session.version, r.req_id
    try:
        bar_seconds = parse_bar_size(r.bar_size)
        duration = parse_duration(r.duration)
        end = min(parse_time(r.end), int(time.time()))
    except (RequestError, ValueError) as exc:
        return [enc.error(version, req_id, ErrorCode.ERROR_VALIDATING_REQUEST, f"Error validating request:-{exc}")]
    start_text = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(end - duration))
    end_text = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(end))
    if r.what == "SCHEDULE":
        return [_schedule(ctx, r, record, (end - duration, end), (start_text, end_text))]
    refusal = history.bars_refusal(record, r.what, bar_seconds, duration)
    if refusal:
        return [enc.error(version, req_id, ErrorCode.HISTORICAL_DATA, refusal)]
    world = ctx.world
    bars = history.bars(world.market, world.hours, record, (end - duration, end), bar_seconds, r.what, r.use_rth)
    rows = [(enc.bar_time(bar.time, bar_seconds, r.format_date), bar) for bar in bars]
    frames = [enc.historical_data(version, req_id, start_text, end_text, rows)]
    if version >= ServerVersion.HISTORICAL_DATA_END:
        frames.append(enc.historical_data_end(req_id, start_text, end_text))
    if r.keep_up_to_date and not r.end and not record.expired:
        session.hist_live[req_id] = BarsSub(
            record,
            what=r.what,
            last_bar_start=end - end % bar_seconds,
            bar_seconds=bar_seconds,
            format_date=r.format_date,
            use_rth=r.use_rth,
        )
    return frames


def _schedule(
    ctx: Context, r: HistoricalDataRequest, record: ContractRecord, span: tuple[int, int], texts: tuple[str, str]
) -> bytes:
    """whatToShow=SCHEDULE: the sessions in the window, in the exchange's time zone."""
    tz = ZoneInfo(record.timeZoneId)

    def local(epoch: int) -> str:
        return dt.datetime.fromtimestamp(epoch, tz).strftime("%Y%m%d-%H:%M:%S")

    windows = ctx.world.hours.windows(record, span[0], span[1], r.use_rth)
    sessions = [(local(opens), local(closes), f"{day:%Y%m%d}") for opens, closes, day in windows]
    return menc.historical_schedule(r.req_id, texts[0], texts[1], record.timeZoneId, sessions)


async def cancel_historical_data(ctx: Context, session: Session, request: ReqId) -> None:
    session.hist_live.pop(request.req_id, None)


async def historical_ticks(ctx: Context, session: Session, request: HistoricalTicksRequest) -> None:
    r = request
    record = resolve_one(ctx, session, r.req_id, r.contract)
    if record is None:
        return
    key = f"ticks|{r.start}|{r.end}|{r.what}|{r.count}|{r.use_rth}"
    if not _paced(ctx, session, r.req_id, key, record):
        return
    if history.no_data(record, r.what):
        send_error(session, r.req_id, ErrorCode.HISTORICAL_DATA, history.no_data_text(record, r.what, 0))
        return
    now = int(time.time())
    start = parse_time(r.start) if r.start else None
    end = min(parse_time(r.end), now) if r.end else now
    world = ctx.world
    ticks = history.ticks(world.market, world.hours, record, (start, end), r.count, r.what, r.use_rth)
    if r.what == "TRADES":
        frame = enc.historical_ticks_last(r.req_id, ticks, True, record.primaryExchange or record.exchange)
    elif r.what == "BID_ASK":
        frame = enc.historical_ticks_bid_ask(r.req_id, ticks, True)
    else:
        frame = enc.historical_ticks_midpoint(r.req_id, [(t, q.mid) for t, q in ticks], True)
    session.send([frame])


async def head_timestamp(ctx: Context, session: Session, request: HeadTimestampRequest) -> None:
    if resolve_one(ctx, session, request.req_id, request.contract) is not None:
        oldest = time.gmtime(time.time() - HEAD_TIMESTAMP_AGE_S)
        session.send([enc.head_timestamp(request.req_id, time.strftime("%Y%m%d-%H:%M:%S", oldest))])
