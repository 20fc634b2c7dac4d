"""Handlers for orders, positions, executions, account values and PnL."""

from __future__ import annotations

import time

from runner.sim.handlers.data import NO_SECURITY, send_paced
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import encoders_orders as oenc
from runner.sim.protocol.requests import executions_request, place_order_request
from runner.sim.protocol.wire import frame

READ_ONLY = "Error validating request.-'bN' : cause - The API interface is currently in Read-Only mode."
NO_CURRENCY_TAGS = frozenset({"Cushion", "Leverage", "HighestSeverity", "DayTradesRemaining"})
ACCOUNT_REFRESH_S = 10.0
PNL_REFRESH_S = 1.0


async def place_order(server, session, f) -> None:
    request = place_order_request(f, session.version)
    if server.config.read_only_api:
        session.send([enc.error(session.version, request.order_id, 321, READ_ONLY)])
        return
    query = request.contract
    matches = server.universe.match(query)
    if len(matches) != 1:
        session.send([enc.error(session.version, request.order_id, 200, NO_SECURITY)])
        return
    if request.account and request.account not in server.broker.accounts:
        session.send(
            [
                enc.error(
                    session.version,
                    request.order_id,
                    321,
                    f"Error validating request:-account {request.account} is not managed by this login",
                )
            ]
        )
        return
    server.broker.place(session.client_id, request, matches[0])


async def cancel_order(server, session, f) -> None:
    if session.version < 192:
        f.skip()
    server.broker.cancel(session.client_id, f.int())


async def global_cancel(server, session, f) -> None:
    server.broker.cancel_all()


def _open_order_frames(server, session, everyone: bool) -> list[bytes]:
    frames = []
    for order in server.broker.working_orders():
        if everyone or session.client_id in (0, order.client_id):
            frames += [oenc.open_order(session.version, order), oenc.order_status(order)]
    return [*frames, oenc.open_order_end()]


async def open_orders(server, session, f) -> None:
    await send_paced(server, session, _open_order_frames(server, session, False))


async def all_open_orders(server, session, f) -> None:
    await send_paced(server, session, _open_order_frames(server, session, True))


async def auto_open_orders(server, session, f) -> None:
    """Binding TWS orders has nothing to bind in the simulator."""


async def completed_orders(server, session, f) -> None:
    frames = [oenc.completed_order(session.version, o) for o in server.broker.completed]
    await send_paced(server, session, [*frames, oenc.completed_orders_end()])


async def executions(server, session, f) -> None:
    r = executions_request(f, session.version)
    frames = []
    for account in server.broker.accounts.values():
        for e in account.executions:
            if _execution_matches(e, r):
                frames += [oenc.exec_details(session.version, r["req_id"], e), oenc.commission_report(e)]
    frames.append(oenc.exec_details_end(r["req_id"]))
    await send_paced(server, session, frames)


def _execution_matches(e, r: dict) -> bool:
    if r["client_id"] and e.client_id != r["client_id"]:
        return False
    if r["account"] and e.account != r["account"]:
        return False
    if r["symbol"] and e.record.symbol != r["symbol"]:
        return False
    if r["sec_type"] and e.record.secType != r["sec_type"]:
        return False
    if r["side"] and e.side != {"BUY": "BOT", "SELL": "SLD"}.get(r["side"], r["side"]):
        return False
    if r["time"]:
        try:
            from runner.sim.world.history import parse_time

            return e.epoch >= parse_time(r["time"].replace("  ", " "))
        except ValueError:
            return True
    return True


async def req_ids(server, session, f) -> None:
    session.send([enc.next_valid_id(server.broker.next_order_id)])


async def managed_accounts(server, session, f) -> None:
    session.send([enc.managed_accounts(server.config.accounts)])


async def family_codes(server, session, f) -> None:
    session.send([frame([78, len(server.config.accounts), *[v for a in server.config.accounts for v in (a, "")]])])


def _position_frames(server) -> list[bytes]:
    frames = []
    for account in server.broker.accounts.values():
        for pos in account.positions.values():
            frames.append(oenc.position(account.name, pos.record, pos.size, pos.avg_cost))
    return frames


async def positions(server, session, f) -> None:
    session.positions = True
    session.position_snapshot = _position_snapshot(server)
    session.send([*_position_frames(server), oenc.position_end()])


async def cancel_positions(server, session, f) -> None:
    session.positions = False


def _position_snapshot(server) -> dict:
    return {
        (a.name, p.record.conId): (p.size, p.avg_cost)
        for a in server.broker.accounts.values()
        for p in a.positions.values()
    }


def _summary_rows(server, tags: str) -> list[tuple[str, str, str, str]]:
    wanted = {t.strip() for t in tags.split(",") if t.strip()}
    base = server.config.base_currency
    rows = []
    for account in server.broker.accounts.values():
        figures = server.broker.valuation(account).figures()
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


async def account_summary(server, session, f) -> None:
    f.skip()
    req_id, _group, tags = f.int(), f.str(), f.str()
    session.account_summary[req_id] = tags
    frames = [oenc.account_summary(req_id, *row) for row in _summary_rows(server, tags)]
    session.send([*frames, oenc.account_summary_end(req_id)])


async def cancel_account_summary(server, session, f) -> None:
    f.skip()
    session.account_summary.pop(f.int(), None)


def _account_update_frames(server, name: str) -> list[bytes]:
    account = server.broker.account_for(name)
    valuation = server.broker.valuation(account)
    base = server.config.base_currency
    frames = [
        oenc.account_value("AccountCode", account.name, "", account.name),
        oenc.account_value("AccountType", "INDIVIDUAL", "", account.name),
        oenc.account_value("Currency", base, base, account.name),
    ]
    for tag, value in valuation.figures().items():
        ccy = "" if tag in NO_CURRENCY_TAGS else base
        frames.append(oenc.account_value(tag, f"{value:.2f}", ccy, account.name))
    for ccy, amount in account.cash.items():
        frames.append(oenc.account_value("CashBalance", f"{amount:.2f}", ccy, account.name))
    now = time.time()
    for pos in account.positions.values():
        price = server.market.quote(pos.record, now).mid
        frames.append(
            oenc.portfolio_value(
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
    frames.append(oenc.account_update_time(time.strftime("%H:%M", time.gmtime(now))))
    return frames


async def account_updates(server, session, f) -> None:
    f.skip()
    subscribe, code = f.bool(), f.str()
    if not subscribe:
        session.account_updates = None
        return
    name = server.broker.account_for(code).name
    session.account_updates = name
    session.account_updates_sent = time.time()
    session.send([*_account_update_frames(server, name), oenc.account_download_end(name)])


def _pnl_figures(server, account_name: str) -> tuple[float, float, float]:
    account = server.broker.account_for(account_name)
    figures = server.broker.valuation(account).figures()
    unrealized, realized = figures["UnrealizedPnL"], figures["RealizedPnL"]
    return unrealized + realized, unrealized, realized


async def pnl(server, session, f) -> None:
    req_id, account = f.int(), f.str()
    session.pnl[req_id] = account
    session.send([oenc.pnl(req_id, *_pnl_figures(server, account))])


async def cancel_pnl(server, session, f) -> None:
    session.pnl.pop(f.int(), None)


def _pnl_single_frame(server, req_id: int, account_name: str, con_id: int) -> bytes:
    account = server.broker.account_for(account_name)
    pos = account.positions.get(con_id)
    if pos is None:
        return oenc.pnl_single(req_id, 0, 0.0, 0.0, 0.0, 0.0)
    valuation = server.broker.valuation(account)
    unrealized = valuation.unrealized(pos)
    return oenc.pnl_single(
        req_id, pos.size, unrealized + pos.realized, unrealized, pos.realized, valuation.position_value(pos)
    )


async def pnl_single(server, session, f) -> None:
    req_id, account, _model, con_id = f.int(), f.str(), f.str(), f.int()
    session.pnl_single[req_id] = (account, con_id)
    session.send([_pnl_single_frame(server, req_id, account, con_id)])


async def cancel_pnl_single(server, session, f) -> None:
    session.pnl_single.pop(f.int(), None)


def stream_account(server, now: float) -> None:
    """Periodic account/PnL pushes and position changes to subscribed sessions."""
    snapshot = None
    for session in list(server.sessions.values()):
        if session.positions:
            snapshot = snapshot if snapshot is not None else _position_snapshot(server)
            _push_position_changes(server, session, snapshot)
        if session.account_updates and now - getattr(session, "account_updates_sent", 0) >= ACCOUNT_REFRESH_S:
            session.account_updates_sent = now
            session.send(_account_update_frames(server, session.account_updates))
        if (session.pnl or session.pnl_single) and now - getattr(session, "pnl_sent", 0) >= PNL_REFRESH_S:
            session.pnl_sent = now
            session.send(
                [oenc.pnl(r, *_pnl_figures(server, a)) for r, a in session.pnl.items()]
                + [_pnl_single_frame(server, r, a, c) for r, (a, c) in session.pnl_single.items()]
            )


def _push_position_changes(server, session, snapshot: dict) -> None:
    previous = getattr(session, "position_snapshot", {})
    if snapshot == previous:
        return
    frames = []
    for (name, con_id), (size, avg_cost) in snapshot.items():
        if previous.get((name, con_id)) != (size, avg_cost):
            record = server.broker.accounts[name].positions[con_id].record
            frames.append(oenc.position(name, record, size, avg_cost))
    session.position_snapshot = snapshot
    session.send([*frames, oenc.position_end()] if frames else [])


HANDLERS = {
    3: place_order,
    4: cancel_order,
    5: open_orders,
    6: account_updates,
    7: executions,
    8: req_ids,
    15: auto_open_orders,
    16: all_open_orders,
    17: managed_accounts,
    58: global_cancel,
    61: positions,
    62: account_summary,
    63: cancel_account_summary,
    64: cancel_positions,
    80: family_codes,
    92: pnl,
    93: cancel_pnl,
    94: pnl_single,
    95: cancel_pnl_single,
    99: completed_orders,
}
