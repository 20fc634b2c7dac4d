"""Where request ids and order ids sit in each message at server versions 157..200 (field 0 is
the message id; layouts from ibapi/client.py and ibapi/decoder.py). A replay maps the recorded
ids to the ones the live client chose."""

from __future__ import annotations

from runner.sim.protocol.messages import ClientMsg as C
from runner.sim.protocol.messages import ServerMsg as S
from runner.sim.protocol.messages import ServerVersion as V

ORDER_REF = 26
"""placeOrder's orderRef (after orderId, 14 contract fields, action .. origin)."""

_REQUEST_AFTER_VERSION = {
    C.REQ_MKT_DATA, C.CANCEL_MKT_DATA, C.REQ_EXECUTIONS, C.REQ_CONTRACT_DATA, C.REQ_MKT_DEPTH, C.CANCEL_MKT_DEPTH,
    C.CANCEL_HISTORICAL_DATA, C.REQ_REAL_TIME_BARS, C.CANCEL_REAL_TIME_BARS, C.REQ_FUNDAMENTAL_DATA,
    C.CANCEL_FUNDAMENTAL_DATA, C.REQ_CALC_IMPLIED_VOLAT, C.REQ_CALC_OPTION_PRICE, C.CANCEL_CALC_IMPLIED_VOLAT,
    C.CANCEL_CALC_OPTION_PRICE, C.REQ_ACCOUNT_SUMMARY, C.CANCEL_ACCOUNT_SUMMARY, C.QUERY_DISPLAY_GROUPS,
    C.SUBSCRIBE_TO_GROUP_EVENTS, C.UPDATE_DISPLAY_GROUP, C.UNSUBSCRIBE_FROM_GROUP_EVENTS, C.REQ_POSITIONS_MULTI,
    C.CANCEL_POSITIONS_MULTI, C.REQ_ACCOUNT_UPDATES_MULTI, C.CANCEL_ACCOUNT_UPDATES_MULTI, C.EXERCISE_OPTIONS,
    C.CANCEL_SCANNER_SUBSCRIPTION,
}  # fmt: skip
_REQUEST_FIRST = {
    C.REQ_HISTORICAL_DATA, C.REQ_SEC_DEF_OPT_PARAMS, C.REQ_SOFT_DOLLAR_TIERS, C.REQ_MATCHING_SYMBOLS,
    C.REQ_SMART_COMPONENTS, C.REQ_NEWS_ARTICLE, C.REQ_HISTORICAL_NEWS, C.REQ_HEAD_TIMESTAMP, C.REQ_HISTOGRAM_DATA,
    C.CANCEL_HISTOGRAM_DATA, C.CANCEL_HEAD_TIMESTAMP, C.REQ_PNL, C.CANCEL_PNL, C.REQ_PNL_SINGLE, C.CANCEL_PNL_SINGLE,
    C.REQ_HISTORICAL_TICKS, C.REQ_TICK_BY_TICK_DATA, C.CANCEL_TICK_BY_TICK_DATA, C.REQ_WSH_META_DATA,
    C.CANCEL_WSH_META_DATA, C.REQ_WSH_EVENT_DATA, C.CANCEL_WSH_EVENT_DATA, C.REQ_USER_INFO, C.REQ_SCANNER_SUBSCRIPTION,
}  # fmt: skip
_SERVER_AFTER_VERSION = {
    S.TICK_PRICE, S.TICK_SIZE, S.MARKET_DEPTH, S.MARKET_DEPTH_L2, S.SCANNER_DATA, S.REAL_TIME_BARS,
    S.CONTRACT_DATA_END, S.EXECUTION_DATA_END, S.TICK_SNAPSHOT_END, S.MARKET_DATA_TYPE, S.ACCOUNT_SUMMARY,
    S.ACCOUNT_SUMMARY_END, S.DISPLAY_GROUP_LIST, S.DISPLAY_GROUP_UPDATED, S.POSITION_MULTI, S.POSITION_MULTI_END,
    S.ACCOUNT_UPDATE_MULTI, S.ACCOUNT_UPDATE_MULTI_END, 45, 46, 47, 51, 56,  # tickGeneric/String/EFP, fundamentals
}  # fmt: skip
_SERVER_FIRST = {
    S.HISTORICAL_DATA, S.TICK_OPTION_COMPUTATION, S.EXECUTION_DATA, S.SECURITY_DEFINITION_OPTION_PARAMETER,
    S.SECURITY_DEFINITION_OPTION_PARAMETER_END, S.SOFT_DOLLAR_TIERS, S.SYMBOL_SAMPLES, S.TICK_REQ_PARAMS,
    S.SMART_COMPONENTS, S.HISTORICAL_NEWS_END, S.HEAD_TIMESTAMP, S.HISTOGRAM_DATA, S.HISTORICAL_DATA_UPDATE, S.PNL,
    S.PNL_SINGLE, S.HISTORICAL_TICKS, S.HISTORICAL_TICKS_BID_ASK, S.HISTORICAL_TICKS_LAST, S.TICK_BY_TICK,
    S.HISTORICAL_SCHEDULE, S.USER_INFO, S.HISTORICAL_DATA_END, 83, 84, 86, 91, 92, 103, 104, 105,
}  # fmt: skip

Position = tuple[int, str]
"""(field index, "req" or "order")."""


def request_ids(msg: int, version: int) -> list[Position]:
    if msg in _REQUEST_AFTER_VERSION:
        return [(2, "req")]
    if msg in _REQUEST_FIRST:
        return [(1, "req")]
    if msg == C.PLACE_ORDER:
        return [(1, "order")]
    if msg == C.CANCEL_ORDER:
        return [(1 if version >= V.CME_TAGGING_FIELDS else 2, "order")]
    return []


def server_ids(msg: int, version: int) -> list[Position]:
    if msg in _SERVER_AFTER_VERSION:
        return [(2, "req")]
    if msg in (S.CONTRACT_DATA, S.BOND_CONTRACT_DATA):
        return [(1 if version >= V.SIZE_RULES else 2, "req")]
    if msg == S.EXECUTION_DATA:
        return [(1, "req"), (2, "order")]
    if msg in _SERVER_FIRST:
        return [(1, "req")]
    if msg in (S.ORDER_STATUS, S.OPEN_ORDER):
        return [(1, "order")]
    if msg == S.ERR_MSG:
        return [(1 if version >= V.ERROR_TIME else 2, "any")]
    return []


PRODUCERS: dict[int, frozenset[int]] = {
    S.POSITION_DATA: frozenset({C.REQ_POSITIONS}),
    S.POSITION_END: frozenset({C.REQ_POSITIONS}),
    S.ACCT_VALUE: frozenset({C.REQ_ACCT_DATA}),
    S.PORTFOLIO_VALUE: frozenset({C.REQ_ACCT_DATA}),
    S.ACCT_UPDATE_TIME: frozenset({C.REQ_ACCT_DATA}),
    S.ACCT_DOWNLOAD_END: frozenset({C.REQ_ACCT_DATA}),
    S.OPEN_ORDER_END: frozenset({C.REQ_OPEN_ORDERS, C.REQ_ALL_OPEN_ORDERS, C.REQ_AUTO_OPEN_ORDERS}),
    S.CURRENT_TIME: frozenset({C.REQ_CURRENT_TIME}),
    S.CURRENT_TIME_IN_MILLIS: frozenset({C.REQ_CURRENT_TIME_IN_MILLIS}),
    S.MANAGED_ACCTS: frozenset({C.REQ_MANAGED_ACCTS, C.START_API}),
    S.NEXT_VALID_ID: frozenset({C.REQ_IDS, C.START_API}),
    S.COMPLETED_ORDER: frozenset({C.REQ_COMPLETED_ORDERS}),
    S.COMPLETED_ORDERS_END: frozenset({C.REQ_COMPLETED_ORDERS}),
    S.FAMILY_CODES: frozenset({C.REQ_FAMILY_CODES}),
    S.MKT_DEPTH_EXCHANGES: frozenset({C.REQ_MKT_DEPTH_EXCHANGES}),
    S.NEWS_PROVIDERS: frozenset({C.REQ_NEWS_PROVIDERS}),
    S.SCANNER_PARAMETERS: frozenset({C.REQ_SCANNER_PARAMETERS}),
    S.MARKET_RULE: frozenset({C.REQ_MARKET_RULE}),
    S.COMMISSION_AND_FEES_REPORT: frozenset({C.PLACE_ORDER, C.REQ_EXECUTIONS}),
}
"""Messages without an id: the requests that make a gateway send them."""
