"""Server→client position, account value, portfolio and PnL messages (ibapi/decoder.py)."""

from __future__ import annotations

from runner.sim.protocol.encoders_orders import contract_fields, qty
from runner.sim.protocol.messages import ServerMsg as M
from runner.sim.protocol.wire import frame
from runner.sim.world.records import ContractRecord


def position(account: str, r: ContractRecord, size: float, avg_cost: float) -> bytes:
    return frame([M.POSITION_DATA, 3, account, *contract_fields(r), qty(size), avg_cost])


def position_end() -> bytes:
    return frame([M.POSITION_END, 1])


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> bytes:
    return frame([M.ACCOUNT_SUMMARY, 1, req_id, account, tag, value, currency])


def account_summary_end(req_id: int) -> bytes:
    return frame([M.ACCOUNT_SUMMARY_END, 1, req_id])


def account_value(key: str, value: str, currency: str, account: str) -> bytes:
    return frame([M.ACCT_VALUE, 2, key, value, currency, account])


def portfolio_value(
    r: ContractRecord,
    size: float,
    price: float,
    value: float,
    avg_cost: float,
    unrealized: float,
    realized: float,
    account: str,
) -> bytes:
    return frame(
        [
            M.PORTFOLIO_VALUE,
            8,
            r.conId,
            r.symbol,
            r.secType,
            r.lastTradeDateOrContractMonth,
            r.strike or 0,
            r.right,
            r.multiplier,
            r.primaryExchange or r.exchange,
            r.currency,
            r.localSymbol,
            r.tradingClass,
            qty(size),
            price,
            round(value, 2),
            avg_cost,
            round(unrealized, 2),
            round(realized, 2),
            account,
        ]
    )


def account_update_time(text: str) -> bytes:
    return frame([M.ACCT_UPDATE_TIME, 1, text])


def account_download_end(account: str) -> bytes:
    return frame([M.ACCT_DOWNLOAD_END, 1, account])


def pnl(req_id: int, daily: float, unrealized: float, realized: float) -> bytes:
    return frame([M.PNL, req_id, round(daily, 2), round(unrealized, 2), round(realized, 2)])


def pnl_single(req_id: int, size: float, daily: float, unrealized: float, realized: float, value: float) -> bytes:
    return frame(
        [M.PNL_SINGLE, req_id, qty(size), round(daily, 2), round(unrealized, 2), round(realized, 2), round(value, 2)]
    )
