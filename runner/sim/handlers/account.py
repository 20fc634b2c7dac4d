"""Positions, account summary/updates and PnL: answered on request, then pushed on clock ticks."""

from __future__ import annotations

import time

from runner.sim.handlers.account_multi import stream_multi
from runner.sim.handlers.base import Context
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import encoders_account as aenc
from runner.sim.protocol.requests import ReqId
from runner.sim.protocol.requests_orders import (
    AccountSummaryRequest,
    AccountUpdatesRequest,
    PnlRequest,
    PnlSingleRequest,
)
from runner.sim.session import Session
from runner.sim.world.broker import PositionSnapshot

NO_CURRENCY_TAGS = frozenset({"Cushion", "Leverage", "HighestSeverity", "DayTradesRemaining"})
ACCOUNT_REFRESH_S = 10.0
PNL_REFRESH_S = 1.0


async def managed_accounts(ctx: Context, session: Session, request: None) -> None:
    session.send([enc.managed_accounts(ctx.config.accounts)])


async def family_codes(ctx: Context, session: Session, request: None) -> None:
    # what IB answers an account outside any family: one row, account "*", no code
    session.send([enc.family_codes([("*", "")])])


def _position_frames(ctx: Context) -> list[bytes]:
    frames = []
    for account in ctx.world.broker.accounts.values():
        for pos in account.positions.values():
            frames.append(aenc.position(account.name, pos.record, pos.size, pos.avg_cost))
    return frames


async def positions(ctx: Context, session: Session, request: None) -> None:
    session.positions = True
    session.position_snapshot = ctx.world.broker.position_snapshot()
    session.send([*_position_frames(ctx), aenc.position_end()])


async def cancel_positions(ctx: Context, session: Session, request: None) -> None:
    session.positions = False


def _summary_rows(ctx: Context, tags: str) -> list[tuple[str, str, str, str]]:
    wanted = {t.strip() for t in tags.split(",") if t.strip()}
    base = ctx.config.base_currency
    broker = ctx.world.broker
    rows = []
    for account in broker.accounts.values():
        figures = broker.valuation(account).figures()
        if "AccountType" in wanted:
            rows.append((account.name, "AccountType", "INDIVIDUAL", ""))
        for tag, value in figures.items():
            if tag in wanted:
                rows.append((account.name, tag, f"{value:.2f}", "" if tag in NO_CURRENCY_TAGS else base))
        if any(t.startswith("$LEDGER") for t in wanted):
            for ccy, amount in account.cash.items():
                rows.append((account.name, "CashBalance", f"{amount:.2f}", ccy))
            rows.append((account.name, "NetLiquidationByCurrency", f"{figures['NetLiquidation']:.2f}", "BASE"))
    return rows


async def account_summary(ctx: Context, session: Session, request: AccountSummaryRequest) -> None:
    session.account_summary[request.req_id] = request.tags
    frames = [aenc.account_summary(request.req_id, *row) for row in _summary_rows(ctx, request.tags)]
    session.send([*frames, aenc.account_summary_end(request.req_id)])


async def cancel_account_summary(ctx: Context, session: Session, request: ReqId) -> None:
    session.account_summary.pop(request.req_id, None)


def _account_update_frames(ctx: Context, name: str) -> list[bytes]:
    broker = ctx.world.broker
    account = broker.account_for(name)
    valuation = broker.valuation(account)
    base = ctx.config.base_currency
    frames = [
        aenc.account_value("AccountCode", account.name, "", account.name),
        aenc.account_value("AccountType", "INDIVIDUAL", "", account.name),
        aenc.account_value("Currency", base, base, account.name),
    ]
    for tag, value in valuation.figures().items():
        ccy = "" if tag in NO_CURRENCY_TAGS else base
        frames.append(aenc.account_value(tag, f"{value:.2f}", ccy, account.name))
    for ccy, amount in account.cash.items():
        frames.append(aenc.account_value("CashBalance", f"{amount:.2f}", ccy, account.name))
    now = time.time()
    for pos in account.positions.values():
        price = ctx.world.market.quote(pos.record, now).mid
        frames.append(
            aenc.portfolio_value(
                pos.record,
                pos.size,
                round(price, 6),
                valuation.position_value(pos),
                pos.avg_cost,
                valuation.unrealized(pos),
                pos.realized,
                account.name,
            )
        )
    frames.append(aenc.account_update_time(time.strftime("%H:%M", time.gmtime(now))))
    return frames


async def account_updates(ctx: Context, session: Session, request: AccountUpdatesRequest) -> None:
    if not request.subscribe:
        session.account_updates = None
        return
    name = ctx.world.broker.account_for(request.account).name
    session.account_updates = name
    session.account_updates_sent = time.time()
    session.send([*_account_update_frames(ctx, name), aenc.account_download_end(name)])


def _pnl_figures(ctx: Context, account_name: str) -> tuple[float, float, float]:
    broker = ctx.world.broker
    figures = broker.valuation(broker.account_for(account_name)).figures()
    unrealized, realized = figures["UnrealizedPnL"], figures["RealizedPnL"]
    return unrealized + realized, unrealized, realized


async def pnl(ctx: Context, session: Session, request: PnlRequest) -> None:
    session.pnl[request.req_id] = request.account
    session.send([aenc.pnl(request.req_id, *_pnl_figures(ctx, request.account))])


async def cancel_pnl(ctx: Context, session: Session, request: ReqId) -> None:
    session.pnl.pop(request.req_id, None)


def _pnl_single_frame(ctx: Context, req_id: int, account_name: str, con_id: int) -> bytes:
    broker = ctx.world.broker
    account = broker.account_for(account_name)
    pos = account.positions.get(con_id)
    if pos is None:
        return aenc.pnl_single(req_id, 0, 0.0, 0.0, 0.0, 0.0)
    valuation = broker.valuation(account)
    unrealized = valuation.unrealized(pos)
    return aenc.pnl_single(
        req_id, pos.size, unrealized + pos.realized, unrealized, pos.realized, valuation.position_value(pos)
    )


async def pnl_single(ctx: Context, session: Session, request: PnlSingleRequest) -> None:
    session.pnl_single[request.req_id] = (request.account, request.con_id)
    session.send([_pnl_single_frame(ctx, request.req_id, request.account, request.con_id)])


async def cancel_pnl_single(ctx: Context, session: Session, request: ReqId) -> None:
    session.pnl_single.pop(request.req_id, None)


def stream_account(ctx: Context, now: float) -> None:
    """Periodic account/PnL pushes and position changes to subscribed sessions."""
    snapshot: PositionSnapshot | None = None
    for session in list(ctx.sessions.values()):
        if session.positions_multi or session.account_multi:
            stream_multi(ctx, session, now)
        if session.positions:
            snapshot = snapshot if snapshot is not None else ctx.world.broker.position_snapshot()
            _push_position_changes(ctx, session, snapshot)
        if session.account_updates and now - session.account_updates_sent >= ACCOUNT_REFRESH_S:
            session.account_updates_sent = now
            session.send(_account_update_frames(ctx, session.account_updates))
        if (session.pnl or session.pnl_single) and now - session.pnl_sent >= PNL_REFRESH_S:
            session.pnl_sent = now
            session.send(
                [aenc.pnl(r, *_pnl_figures(ctx, a)) for r, a in session.pnl.items()]
                + [_pnl_single_frame(ctx, r, a, c) for r, (a, c) in session.pnl_single.items()]
            )


def _push_position_changes(ctx: Context, session: Session, snapshot: PositionSnapshot) -> None:
    previous = session.position_snapshot
    if snapshot == previous:
        return
    frames = []
    for (name, con_id), (size, avg_cost) in snapshot.items():
        if previous.get((name, con_id)) != (size, avg_cost):
            record = ctx.world.broker.accounts[name].positions[con_id].record
            frames.append(aenc.position(name, record, size, avg_cost))
    session.position_snapshot = snapshot
    session.send([*frames, aenc.position_end()] if frames else [])
