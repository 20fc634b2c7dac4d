"""reqPositionsMulti / reqAccountUpdatesMulti: positions and account values per account (and
model), answered at once and then kept up to date like their single-account counterparts."""

from __future__ import annotations

import time

from runner.sim.handlers.base import Context
from runner.sim.protocol import encoders_more as menc
from runner.sim.protocol.requests_more import AccountMultiRequest, NoReply
from runner.sim.session import Session
from runner.sim.world.account import Account
from runner.sim.world.broker import PositionSnapshot

ALL_ACCOUNTS = frozenset({"", "ALL"})
NO_CURRENCY_TAGS = frozenset({"Cushion", "Leverage", "HighestSeverity", "DayTradesRemaining"})
LEDGER_TAGS = frozenset({"NetLiquidation", "TotalCashValue", "CashBalance", "RealizedPnL", "UnrealizedPnL"})
ACCOUNT_REFRESH_S = 10.0


def _accounts(ctx: Context, wanted: str) -> list[Account]:
    accounts = ctx.world.broker.accounts
    if wanted.upper() in ALL_ACCOUNTS:
        return list(accounts.values())
    return [accounts[wanted]] if wanted in accounts else []


def _position_frames(ctx: Context, req_id: int, wanted: str, model: str) -> list[bytes]:
    return [
        menc.position_multi(req_id, account.name, pos.record, pos.size, pos.avg_cost, model)
        for account in _accounts(ctx, wanted)
        for pos in account.positions.values()
    ]


def _snapshot(ctx: Context, wanted: str) -> PositionSnapshot:
    names = {a.name for a in _accounts(ctx, wanted)}
    return {key: value for key, value in ctx.world.broker.position_snapshot().items() if key[0] in names}


async def positions_multi(ctx: Context, session: Session, request: AccountMultiRequest) -> None:
    r = request
    session.positions_multi[r.req_id] = (r.account, r.model_code)
    session.multi_snapshots[r.req_id] = _snapshot(ctx, r.account)
    frames = _position_frames(ctx, r.req_id, r.account, r.model_code)
    session.send([*frames, menc.position_multi_end(r.req_id)])


async def cancel_positions_multi(ctx: Context, session: Session, request: NoReply) -> None:
    session.positions_multi.pop(request.req_id, None)
    session.multi_snapshots.pop(request.req_id, None)


def _value_frames(ctx: Context, req_id: int, wanted: str, model: str, ledger_only: bool) -> list[bytes]:
    broker = ctx.world.broker
    base = ctx.config.base_currency
    frames = []
    for account in _accounts(ctx, wanted):
        rows = [("AccountCode", account.name, ""), ("Currency", base, base)]
        for tag, value in broker.valuation(account).figures().items():
            rows.append((tag, f"{value:.2f}", "" if tag in NO_CURRENCY_TAGS else base))
        rows += [("CashBalance", f"{amount:.2f}", ccy) for ccy, amount in account.cash.items()]
        if ledger_only:
            rows = [row for row in rows if row[0] in LEDGER_TAGS]
        frames += [menc.account_update_multi(req_id, account.name, model, *row) for row in rows]
    return frames


async def account_updates_multi(ctx: Context, session: Session, request: AccountMultiRequest) -> None:
    r = request
    session.account_multi[r.req_id] = (r.account, r.model_code, r.ledger_and_nlv)
    session.account_multi_sent = time.time()
    frames = _value_frames(ctx, r.req_id, r.account, r.model_code, r.ledger_and_nlv)
    session.send([*frames, menc.account_update_multi_end(r.req_id)])


async def cancel_account_updates_multi(ctx: Context, session: Session, request: NoReply) -> None:
    session.account_multi.pop(request.req_id, None)


def stream_multi(ctx: Context, session: Session, now: float) -> None:
    """Position changes at once; account values every ACCOUNT_REFRESH_S."""
    for req_id, (wanted, model) in session.positions_multi.items():
        snapshot = _snapshot(ctx, wanted)
        previous = session.multi_snapshots.get(req_id, {})
        if snapshot == previous:
            continue
        session.multi_snapshots[req_id] = snapshot
        changed = []
        for (name, con_id), (size, avg_cost) in snapshot.items():
            if previous.get((name, con_id)) != (size, avg_cost):
                record = ctx.world.broker.accounts[name].positions[con_id].record
                changed.append(menc.position_multi(req_id, name, record, size, avg_cost, model))
        session.send([*changed, menc.position_multi_end(req_id)])
    if session.account_multi and now - session.account_multi_sent >= ACCOUNT_REFRESH_S:
        session.account_multi_sent = now
        for req_id, (wanted, model, ledger) in session.account_multi.items():
            session.send(_value_frames(ctx, req_id, wanted, model, ledger))
