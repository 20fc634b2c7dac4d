"""Server→client messages of the less common requests (ibapi/decoder.py at versions 157..200):
reference data, option computations, *Multi account data, scanner, news, display groups,
verification and the historical schedule."""

from __future__ import annotations

from runner.sim.protocol.encoders_orders import contract_fields, qty
from runner.sim.protocol.messages import ServerMsg as M
from runner.sim.protocol.messages import ServerVersion as V
from runner.sim.protocol.wire import frame
from runner.sim.world.records import ContractRecord


def position_multi(req_id: int, account: str, r: ContractRecord, size: float, avg_cost: float, model: str) -> bytes:
    return frame([M.POSITION_MULTI, 1, req_id, account, *contract_fields(r), qty(size), avg_cost, model])


def position_multi_end(req_id: int) -> bytes:
    return frame([M.POSITION_MULTI_END, 1, req_id])


def account_update_multi(req_id: int, account: str, model: str, key: str, value: str, currency: str) -> bytes:
    return frame([M.ACCOUNT_UPDATE_MULTI, 1, req_id, account, model, key, value, currency])


def account_update_multi_end(req_id: int) -> bytes:
    return frame([M.ACCOUNT_UPDATE_MULTI_END, 1, req_id])


def symbol_samples(version: int, req_id: int, rows: list[tuple[ContractRecord, list[str]]]) -> bytes:
    """(record, derivative secTypes) rows; from v176 each carries a description and issuer id."""
    fields: list[object] = [M.SYMBOL_SAMPLES, req_id, len(rows)]
    for r, derivatives in rows:
        fields += [r.conId, r.symbol, r.secType, r.primaryExchange or r.exchange, r.currency, len(derivatives)]
        fields += derivatives
        if version >= V.BOND_ISSUERID:
            fields += [r.longName if r.secType == "BOND" else "", ""]
    return frame(fields)


def market_rule(rule_id: int, increments: list[tuple[float, float]]) -> bytes:
    """(low edge, increment) tiers."""
    return frame([M.MARKET_RULE, rule_id, len(increments), *[v for tier in increments for v in tier]])


def smart_components(req_id: int, components: list[tuple[int, str, str]]) -> bytes:
    """(bit number, exchange, exchange letter) rows."""
    return frame([M.SMART_COMPONENTS, req_id, len(components), *[v for row in components for v in row]])


def soft_dollar_tiers(req_id: int) -> bytes:
    return frame([M.SOFT_DOLLAR_TIERS, req_id, 0])


def news_providers(providers: list[tuple[str, str]]) -> bytes:
    return frame([M.NEWS_PROVIDERS, len(providers), *[v for row in providers for v in row]])


def historical_news_end(req_id: int, has_more: bool) -> bytes:
    return frame([M.HISTORICAL_NEWS_END, req_id, has_more])


def histogram_data(req_id: int, points: list[tuple[float, int]]) -> bytes:
    return frame([M.HISTOGRAM_DATA, req_id, len(points), *[v for point in points for v in point]])


def tick_option_computation(
    req_id: int,
    tick_type: int,
    implied_vol: float,
    delta: float,
    price: float,
    greeks: tuple[float, float, float],
    under: float,
) -> bytes:
    """A custom option computation (tick 53) at ≥ v156: attrib, IV, delta, price, pvDividend,
    gamma, vega, theta, underlying price."""
    gamma, vega, theta = greeks
    return frame(
        [M.TICK_OPTION_COMPUTATION, req_id, tick_type, 1, implied_vol, delta, price, 0.0, gamma, vega, theta, under]
    )


def scanner_parameters(xml: str) -> bytes:
    return frame([M.SCANNER_PARAMETERS, 1, xml])


def scanner_data(req_id: int, rows: list[ContractRecord]) -> bytes:
    fields: list[object] = [M.SCANNER_DATA, 3, req_id, len(rows)]
    for rank, r in enumerate(rows):
        fields += [rank, r.conId, r.symbol, r.secType, r.lastTradeDateOrContractMonth, r.strike or 0, r.right]
        fields += [
            r.exchange,
            r.currency,
            r.localSymbol,
            r.marketName or r.tradingClass,
            r.tradingClass,
            "",
            "",
            "",
            "",
        ]
    return frame(fields)


def display_group_list(req_id: int, groups: str) -> bytes:
    return frame([M.DISPLAY_GROUP_LIST, 1, req_id, groups])


def display_group_updated(req_id: int, contract_info: str) -> bytes:
    return frame([M.DISPLAY_GROUP_UPDATED, 1, req_id, contract_info])


def verify_completed(successful: bool, text: str, and_auth: bool) -> bytes:
    message = M.VERIFY_AND_AUTH_COMPLETED if and_auth else M.VERIFY_COMPLETED
    return frame([message, 1, successful, text])


def historical_schedule(
    req_id: int, start: str, end: str, time_zone: str, sessions: list[tuple[str, str, str]]
) -> bytes:
    """(start, end, reference date) sessions, times as "YYYYMMDD-HH:MM:SS" in `time_zone`."""
    fields: list[object] = [M.HISTORICAL_SCHEDULE, req_id, start, end, time_zone, len(sessions)]
    for session in sessions:
        fields += list(session)
    return frame(fields)
