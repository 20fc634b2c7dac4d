"""Historical bars and ticks (paged, pacing-checked) and the live bar streams built on them."""

from __future__ import annotations

import calendar
import time
from zoneinfo import ZoneInfo

from runner.sim.protocol import encoders as enc
from runner.sim.session import StreamSub
from runner.sim.world.market import unit

MAX_BARS = 100_000
MAX_TICKS = 1000
_UNITS = {"S": 1, "D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400, "Y": 365 * 86_400}
_BAR_UNITS = {"sec": 1, "min": 60, "hour": 3600, "day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}
WEEKDAYS_ONLY = frozenset({"STK", "OPT", "IND", "FUT", "FOP", "BOND", "CFD"})


class RequestError(ValueError):
    pass


def parse_duration(text: str) -> int:
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].upper() not in _UNITS:
        raise RequestError(f"invalid duration {text!r}")
    return int(parts[0]) * _UNITS[parts[1].upper()]


def parse_bar_size(text: str) -> int:
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit():
        raise RequestError(f"invalid bar size {text!r}")
    unit_name = parts[1].lower().rstrip("s")
    if unit_name == "min" or unit_name.startswith("min"):
        unit_name = "min"
    if unit_name not in _BAR_UNITS:
        raise RequestError(f"invalid bar size {text!r}")
    return int(parts[0]) * _BAR_UNITS[unit_name]


def parse_time(text: str) -> int:
    """IB date-time: "YYYYMMDD HH:MM:SS [TZ]", "YYYYMMDD-HH:MM:SS" (UTC) or "YYYYMMDD"."""
    text = text.strip()
    if not text:
        return int(time.time())
    if "-" in text[:9]:
        return calendar.timegm(time.strptime(text[:17], "%Y%m%d-%H:%M:%S"))
    parts = text.split()
    if len(parts) == 1:
        return calendar.timegm(time.strptime(parts[0][:8], "%Y%m%d"))
    naive = calendar.timegm(time.strptime(f"{parts[0]} {parts[1]}", "%Y%m%d %H:%M:%S"))
    if len(parts) > 2 and parts[2].upper() not in ("UTC", "GMT"):
        import datetime as dt

        local = dt.datetime.strptime(f"{parts[0]} {parts[1]}", "%Y%m%d %H:%M:%S")
        return int(local.replace(tzinfo=ZoneInfo(parts[2])).timestamp())
    return naive


def format_bar_time(epoch: int, bar_seconds: int, format_date: int) -> str:
    if bar_seconds >= 86_400:
        return time.strftime("%Y%m%d", time.gmtime(epoch))
    if format_date == 2:
        return str(epoch)
    return time.strftime("%Y%m%d %H:%M:%S", time.gmtime(epoch)) + " UTC"


def pacing_ok(server, session, r: dict, record) -> bool:
    key = (
        "|".join(str(r.get(k)) for k in ("end", "start", "duration", "bar_size", "what", "count", "use_rth"))
        + f"|{record.conId}"
    )
    problem = server.pacing.check(key, str(record.conId), time.monotonic())
    if problem:
        session.send([enc.error(session.version, r["req_id"], 162, problem)])
    return problem is None


def bars_reply(server, session, r: dict, record) -> list[bytes]:
    req_id = r["req_id"]
    try:
        bar_seconds = parse_bar_size(r["bar_size"])
        duration = parse_duration(r["duration"])
        end = min(parse_time(r["end"]), int(time.time()))
    except (RequestError, ValueError) as exc:
        return [enc.error(session.version, req_id, 321, f"Error validating request:-{exc}")]
    if r["what"] == "TRADES" and record.secType == "CASH":
        return [
            enc.error(
                session.version,
                req_id,
                162,
                "Historical Market Data Service error "
                f"message:No historical market data for {record.localSymbol}/CASH@"
                f"{record.exchange} Last {bar_seconds}",
            )
        ]
    if duration // bar_seconds > MAX_BARS:
        return [
            enc.error(
                session.version,
                req_id,
                162,
                "Historical Market Data Service error message:Requested market data is too large",
            )
        ]
    bars = _bar_rows(server, record, end - duration, end, bar_seconds, r["format_date"], r["what"])
    start_text = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(end - duration))
    end_text = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(end))
    frames = [enc.historical_data(session.version, req_id, start_text, end_text, bars)]
    if session.version >= enc.V_HISTORICAL_DATA_END:
        frames.append(enc.historical_data_end(req_id, start_text, end_text))
    if r["keep_up_to_date"] and not r["end"]:
        session.hist_live[req_id] = StreamSub(
            record,
            bar_seconds=bar_seconds,
            format_date=r["format_date"],
            what=r["what"],
            last_bar_start=end - end % bar_seconds,
        )
    return frames


def _bar_rows(server, record, start: int, end: int, bar_seconds: int, format_date: int, what: str) -> list:
    first = start - start % bar_seconds
    if first < start and bar_seconds < 86_400:
        first += bar_seconds
    rows = []
    now = int(time.time())
    for bar_start in range(first, end, bar_seconds):
        if bar_seconds >= 86_400 and record.secType in WEEKDAYS_ONLY and time.gmtime(bar_start).tm_wday >= 5:
            continue
        length = min(bar_seconds, max(now - bar_start, 1))
        bar = _adjusted(server.market.bar(record, bar_start, length), record, what)
        rows.append((format_bar_time(bar_start, bar_seconds, format_date), bar))
    return rows


def _adjusted(bar, record, what: str):
    """BID/ASK series sit half a spread away from the midpoint; quotes carry no volume."""
    if what not in ("BID", "ASK", "MIDPOINT", "BID_ASK"):
        return bar
    shift = record.spread_ticks * record.minTick / 2 * (-1 if what == "BID" else 1 if what == "ASK" else 0)
    bar.open, bar.high = round(bar.open + shift, 10), round(bar.high + shift, 10)
    bar.low, bar.close = round(bar.low + shift, 10), round(bar.close + shift, 10)
    bar.volume, bar.wap, bar.count = -1, -1, -1
    return bar


def ticks_reply(server, r: dict, record) -> list[bytes]:
    count = min(max(r["count"], 1), MAX_TICKS)
    now = int(time.time())
    start = parse_time(r["start"]) if r["start"] else None
    end = min(parse_time(r["end"]), now) if r["end"] else now
    forward = start is not None
    seconds = range(start, end + 1) if start is not None else range(end, (start or end - 86_400) - 1, -1)
    key = server.market.key(record)
    what = r["what"]
    density = 0.2 if what == "TRADES" else 0.6  # share of seconds with a tick: 60 % / 80 %
    ticks = []
    for second in seconds:
        if unit(key, second * 3 + 1) > density:
            continue
        ticks.append((second, server.market.quote_at(record, second, float(second))))
        if len(ticks) >= count:
            break
    if not forward:
        ticks.reverse()
    req_id = r["req_id"]
    if what == "TRADES":
        exchange = record.primaryExchange or record.exchange
        return [enc.historical_ticks_last(req_id, ticks, True, exchange)]
    if what == "BID_ASK":
        return [enc.historical_ticks_bid_ask(req_id, ticks, True)]
    return [enc.historical_ticks_midpoint(req_id, [(t, q.mid) for t, q in ticks], True)]


def real_time_bar_frames(server, req_id: int, sub: StreamSub, now: float) -> list[bytes]:
    frames = []
    while sub.last_bar_start + 5 <= now:
        bar = server.market.bar(sub.record, sub.last_bar_start, 5)
        frames.append(enc.real_time_bar(req_id, _adjusted(bar, sub.record, sub.what)))
        sub.last_bar_start += 5
    return frames


def live_bar_frames(server, req_id: int, sub: StreamSub, now: float) -> list[bytes]:
    """keepUpToDate: the current (growing) bar; a new bar starts at each boundary."""
    start = int(now) - int(now) % sub.bar_seconds
    length = max(int(now) - start, 1)
    bar = _adjusted(server.market.bar(sub.record, start, length), sub.record, sub.what)
    sub.last_bar_start = start
    return [enc.historical_data_update(req_id, format_bar_time(start, sub.bar_seconds, sub.format_date), bar)]
