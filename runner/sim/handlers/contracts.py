"""Contract details and option chain parameters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from runner.ib.error_codes import ErrorCode
from runner.sim.handlers.base import NO_SECURITY, Context, send_error, send_paced
from runner.sim.protocol import encoders as enc
from runner.sim.protocol.requests import ContractDetailsRequest, SecDefOptParamsRequest
from runner.sim.session import Session
from runner.sim.world.records import ContractRecord
from runner.sim.world.universe import ContractQuery


async def contract_details(ctx: Context, session: Session, request: ContractDetailsRequest) -> None:
    matches = ctx.world.universe.match(request.contract)
    if not matches:
        send_error(session, request.req_id, ErrorCode.NO_SECURITY_DEFINITION, NO_SECURITY)
        return
    version, req_id = session.version, request.req_id
    frames = [
        enc.bond_contract_data(version, req_id, r, contract_hours(ctx, r))
        if r.secType == "BOND"
        else enc.contract_data(version, req_id, r, contract_hours(ctx, r))
        for r in matches
    ]
    frames.append(enc.contract_data_end(req_id))
    await send_paced(ctx, session, frames)


def contract_hours(ctx: Context, record: ContractRecord) -> tuple[str, str]:
    """(tradingHours, liquidHours) from yesterday to five days ahead, as IB lists them."""
    today = dt.datetime.now(ZoneInfo(record.timeZoneId)).date()
    return ctx.world.hours.contract_hours(record, today)


async def sec_def_opt_params(ctx: Context, session: Session, request: SecDefOptParamsRequest) -> None:
    universe = ctx.world.universe
    con_id = request.under_con_id
    if not con_id:
        under = universe.match(ContractQuery(symbol=request.symbol))
        con_id = under[0].conId if under else 0
    frames = [
        enc.sec_def_opt_params(request.req_id, exchange, con_id, trading_class, multiplier, expiries, strikes)
        for exchange, trading_class, multiplier, expiries, strikes in universe.option_chain_params(
            con_id, request.fut_fop_exchange
        )
    ]
    frames.append(enc.sec_def_opt_params_end(request.req_id))
    await send_paced(ctx, session, frames)
