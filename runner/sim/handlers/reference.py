"""Reference data and calculations the simulated world can answer with data: matching symbols,
market rules, SMART components, option calculations, price histograms, option exercise and a
small market scanner."""

from __future__ import annotations

import time

from runner.ib.error_codes import ErrorCode
from runner.sim.handlers.base import Context, resolve_one, send_error
from runner.sim.protocol import encoders_more as menc
from runner.sim.protocol.requests_more import (
    ExerciseRequest,
    HistogramRequest,
    NoReply,
    OptionCalculationRequest,
    ScannerRequest,
    TextRequest,
)
from runner.sim.session import Session
from runner.sim.world import analytics
from runner.sim.world.records import ContractRecord

MAX_SYMBOL_SAMPLES = 16
SMART_COMPONENT_LETTERS = {
    "NYSE": "N", "NASDAQ": "Q", "ARCA": "P", "AMEX": "A", "BATS": "Z", "CBOE": "W",
    "CHX": "M", "PHLX": "X", "ISE": "I", "IEX": "V",
}  # fmt: skip
CUSTOM_OPTION_COMPUTATION = 53
NOT_ITM = "Error processing request.Exercise ignored because option is not in-the-money."
NO_POSITION = "Error processing request.Exercise ignored because there is no position in the option."
NO_ITEMS = "Historical Market Data Service query message:no items retrieved"
OPTIONS_ONLY = "Error validating request:-'bI' : cause - Option calculations are only available for options"


async def matching_symbols(ctx: Context, session: Session, request: TextRequest) -> None:
    """Underlyings whose symbol starts with (or whose name contains) the pattern, with the
    derivative security types listed on them."""
    pattern = request.text.strip().upper()
    universe = ctx.world.universe
    derivatives: dict[int, set[str]] = {}
    for sec_type in ("OPT", "FOP", "FUT", "CFD"):
        for record in universe.by_sec_type.get(sec_type, ()):
            derivatives.setdefault(record.underConId, set()).add(sec_type)
    rows: list[tuple[ContractRecord, list[str]]] = []
    for sec_type in ("STK", "IND", "CASH", "CRYPTO", "CMDTY", "BOND"):
        for record in universe.by_sec_type.get(sec_type, ()):
            if pattern and (record.symbol.upper().startswith(pattern) or pattern in record.longName.upper()):
                rows.append((record, sorted(derivatives.get(record.conId, ()))))
    rows.sort(key=lambda row: (not row[0].symbol.upper().startswith(pattern), row[0].symbol))
    session.send([menc.symbol_samples(session.version, request.req_id, rows[:MAX_SYMBOL_SAMPLES])])


async def market_rule(ctx: Context, session: Session, request: NoReply) -> None:
    ticks = analytics.market_rule_ticks(ctx.world.universe, request.req_id)
    if ticks is None:
        text = f"Error validating request:-'bU' : cause - Invalid market rule id {request.req_id}"
        send_error(session, -1, ErrorCode.ERROR_VALIDATING_REQUEST, text)
        return
    session.send([menc.market_rule(request.req_id, [(0.0, tick) for tick in ticks])])


async def smart_components(ctx: Context, session: Session, request: TextRequest) -> None:
    """The exchanges behind a SMART BBO exchange code (the one tickReqParams named)."""
    rows = [(bit, exchange, letter) for bit, (exchange, letter) in enumerate(SMART_COMPONENT_LETTERS.items(), 1)]
    session.send([menc.smart_components(request.req_id, rows)])


async def option_calculation(ctx: Context, session: Session, request: OptionCalculationRequest, implied: bool) -> None:
    record = resolve_one(ctx, session, request.req_id, request.contract)
    if record is None:
        return
    if not record.is_derivative:
        send_error(session, request.req_id, ErrorCode.ERROR_VALIDATING_REQUEST, OPTIONS_ONLY)
        return
    result = analytics.option_computation(ctx.world.market, record, request.value, request.under_price, implied)
    frame = menc.tick_option_computation(
        request.req_id,
        CUSTOM_OPTION_COMPUTATION,
        result.implied_vol,
        result.delta,
        result.price,
        (result.gamma, result.vega, result.theta),
        result.under_price,
    )
    session.send([frame])


async def implied_volatility(ctx: Context, session: Session, request: OptionCalculationRequest) -> None:
    await option_calculation(ctx, session, request, implied=True)


async def option_price(ctx: Context, session: Session, request: OptionCalculationRequest) -> None:
    await option_calculation(ctx, session, request, implied=False)


async def histogram(ctx: Context, session: Session, request: HistogramRequest) -> None:
    record = resolve_one(ctx, session, request.req_id, request.contract)
    if record is None:
        return
    try:
        points = analytics.histogram(ctx.world, record, request.period, request.use_rth, time.time())
    except ValueError as exc:
        send_error(session, request.req_id, ErrorCode.ERROR_VALIDATING_REQUEST, f"Error validating request:-{exc}")
        return
    session.send([menc.histogram_data(request.req_id, points)])


async def exercise_options(ctx: Context, session: Session, request: ExerciseRequest) -> None:
    record = resolve_one(ctx, session, request.req_id, request.contract)
    if record is None:
        return
    problem = ctx.world.broker.exercise(record, request.account, request.quantity, lapse=request.action == 2)
    if problem == "not_itm":
        send_error(session, request.req_id, ErrorCode.ERROR_PROCESSING_REQUEST, NOT_ITM)
    elif problem == "no_position":
        send_error(session, request.req_id, ErrorCode.ERROR_PROCESSING_REQUEST, NO_POSITION)


async def scanner_parameters(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.scanner_parameters(analytics.SCANNER_XML)])


async def scanner_subscription(ctx: Context, session: Session, request: ScannerRequest) -> None:
    r = request
    if r.scan_code not in analytics.SCAN_CODES:
        text = f"Error validating request:-'bX' : cause - Invalid scan code: {r.scan_code}"
        send_error(session, r.req_id, ErrorCode.ERROR_VALIDATING_REQUEST, text)
        return
    rows = analytics.scan(ctx.world.market, r.scan_code, r.instrument, r.above_price, r.below_price, time.time())
    rows = rows[: r.rows if r.rows > 0 else 50]
    if not rows:
        send_error(
            session,
            r.req_id,
            ErrorCode.SCANNER_NO_ITEMS,
            "Historical Market Data Service query message:no items retrieved",
        )
    session.send([menc.scanner_data(r.req_id, rows)])
