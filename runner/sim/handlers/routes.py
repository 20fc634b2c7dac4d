"""Every request the simulator answers: message id → (parser in protocol/, handler here). Every
id ibapi can send at versions 157..200 has a route (tests/sim/test_request_coverage.py); an
id without one is logged at WARNING and dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from runner.sim.handlers import (
    account,
    account_multi,
    contracts,
    gateway_info,
    history,
    market_data,
    orders,
    reference,
    services,
)
from runner.sim.handlers.base import Context
from runner.sim.protocol import requests as req
from runner.sim.protocol import requests_more as more
from runner.sim.protocol import requests_orders as oreq
from runner.sim.protocol.messages import ClientMsg as C
from runner.sim.protocol.wire import Fields
from runner.sim.session import Session


@dataclass(frozen=True, slots=True)
class Route[R]:
    parse: Callable[[Fields, int], R]
    """Fields after the message id, negotiated version → the request value."""
    handle: Callable[[Context, Session, R], Awaitable[None]]


ROUTES: dict[int, Route[Any]] = {
    C.REQ_MKT_DATA: Route(req.market_data, market_data.market_data),
    C.CANCEL_MKT_DATA: Route(req.versioned_req_id, market_data.cancel_market_data),
    C.REQ_MARKET_DATA_TYPE: Route(req.market_data_type, market_data.market_data_type),
    C.REQ_TICK_BY_TICK_DATA: Route(req.tick_by_tick, market_data.tick_by_tick),
    C.CANCEL_TICK_BY_TICK_DATA: Route(req.req_id, market_data.cancel_tick_by_tick),
    C.REQ_MKT_DEPTH: Route(req.market_depth, market_data.market_depth),
    C.CANCEL_MKT_DEPTH: Route(req.versioned_req_id, market_data.cancel_market_depth),
    C.REQ_REAL_TIME_BARS: Route(req.real_time_bars, market_data.real_time_bars),
    C.CANCEL_REAL_TIME_BARS: Route(req.versioned_req_id, market_data.cancel_real_time_bars),
    C.REQ_CONTRACT_DATA: Route(req.contract_details, contracts.contract_details),
    C.REQ_SEC_DEF_OPT_PARAMS: Route(req.sec_def_opt_params, contracts.sec_def_opt_params),
    C.REQ_HISTORICAL_DATA: Route(req.historical_data, history.historical_data),
    C.CANCEL_HISTORICAL_DATA: Route(req.versioned_req_id, history.cancel_historical_data),
    C.REQ_HISTORICAL_TICKS: Route(req.historical_ticks, history.historical_ticks),
    C.REQ_HEAD_TIMESTAMP: Route(req.head_timestamp, history.head_timestamp),
    C.PLACE_ORDER: Route(oreq.place_order, orders.place_order),
    C.CANCEL_ORDER: Route(oreq.cancel_order, orders.cancel_order),
    C.REQ_GLOBAL_CANCEL: Route(req.nothing, orders.global_cancel),
    C.REQ_OPEN_ORDERS: Route(req.nothing, orders.open_orders),
    C.REQ_ALL_OPEN_ORDERS: Route(req.nothing, orders.all_open_orders),
    C.REQ_AUTO_OPEN_ORDERS: Route(req.nothing, orders.auto_open_orders),
    C.REQ_COMPLETED_ORDERS: Route(req.nothing, orders.completed_orders),
    C.REQ_EXECUTIONS: Route(oreq.executions, orders.executions),
    C.REQ_IDS: Route(req.nothing, orders.req_ids),
    C.REQ_MANAGED_ACCTS: Route(req.nothing, account.managed_accounts),
    C.REQ_FAMILY_CODES: Route(req.nothing, account.family_codes),
    C.REQ_POSITIONS: Route(req.nothing, account.positions),
    C.CANCEL_POSITIONS: Route(req.nothing, account.cancel_positions),
    C.REQ_ACCOUNT_SUMMARY: Route(oreq.account_summary, account.account_summary),
    C.CANCEL_ACCOUNT_SUMMARY: Route(req.versioned_req_id, account.cancel_account_summary),
    C.REQ_ACCT_DATA: Route(oreq.account_updates, account.account_updates),
    C.REQ_PNL: Route(oreq.pnl, account.pnl),
    C.CANCEL_PNL: Route(req.req_id, account.cancel_pnl),
    C.REQ_PNL_SINGLE: Route(oreq.pnl_single, account.pnl_single),
    C.CANCEL_PNL_SINGLE: Route(req.req_id, account.cancel_pnl_single),
    C.REQ_CURRENT_TIME: Route(req.nothing, gateway_info.current_time),
    C.REQ_CURRENT_TIME_IN_MILLIS: Route(req.nothing, gateway_info.current_time_millis),
    C.REQ_MKT_DEPTH_EXCHANGES: Route(req.nothing, gateway_info.mkt_depth_exchanges),
    C.REQ_USER_INFO: Route(req.req_id, gateway_info.user_info),
    C.START_API: Route(req.nothing, gateway_info.start_api_again),
    # the *Multi account requests
    C.REQ_POSITIONS_MULTI: Route(more.positions_multi, account_multi.positions_multi),
    C.CANCEL_POSITIONS_MULTI: Route(more.versioned, account_multi.cancel_positions_multi),
    C.REQ_ACCOUNT_UPDATES_MULTI: Route(more.account_updates_multi, account_multi.account_updates_multi),
    C.CANCEL_ACCOUNT_UPDATES_MULTI: Route(more.versioned, account_multi.cancel_account_updates_multi),
    # reference data and calculations
    C.REQ_MATCHING_SYMBOLS: Route(more.matching_symbols, reference.matching_symbols),
    C.REQ_MARKET_RULE: Route(more.market_rule, reference.market_rule),
    C.REQ_SMART_COMPONENTS: Route(more.smart_components, reference.smart_components),
    C.REQ_SOFT_DOLLAR_TIERS: Route(more.plain, services.soft_dollar_tiers),
    C.REQ_CALC_IMPLIED_VOLAT: Route(more.option_calculation, reference.implied_volatility),
    C.REQ_CALC_OPTION_PRICE: Route(more.option_calculation, reference.option_price),
    C.CANCEL_CALC_IMPLIED_VOLAT: Route(more.versioned, services.nothing),
    C.CANCEL_CALC_OPTION_PRICE: Route(more.versioned, services.nothing),
    C.REQ_HISTOGRAM_DATA: Route(more.histogram, reference.histogram),
    C.CANCEL_HISTOGRAM_DATA: Route(more.plain, services.nothing),
    C.CANCEL_HEAD_TIMESTAMP: Route(more.plain, services.nothing),
    C.EXERCISE_OPTIONS: Route(more.exercise_options, reference.exercise_options),
    C.REQ_SCANNER_PARAMETERS: Route(more.versioned, reference.scanner_parameters),
    C.REQ_SCANNER_SUBSCRIPTION: Route(more.scanner_subscription, reference.scanner_subscription),
    C.CANCEL_SCANNER_SUBSCRIPTION: Route(more.versioned, services.nothing),
    # services the simulated account has no subscription for
    C.REQ_FUNDAMENTAL_DATA: Route(more.fundamental_data, services.fundamental_data),
    C.CANCEL_FUNDAMENTAL_DATA: Route(more.versioned, services.nothing),
    C.REQ_NEWS_PROVIDERS: Route(more.plain, services.news_providers),
    C.REQ_NEWS_ARTICLE: Route(more.news_article, services.news_feed_not_allowed),
    C.REQ_HISTORICAL_NEWS: Route(more.historical_news, services.historical_news),
    C.REQ_NEWS_BULLETINS: Route(more.versioned, services.news_bulletins),
    C.CANCEL_NEWS_BULLETINS: Route(more.versioned, services.cancel_news_bulletins),
    C.REQ_WSH_META_DATA: Route(more.plain, services.news_feed_not_allowed),
    C.CANCEL_WSH_META_DATA: Route(more.plain, services.nothing),
    C.REQ_WSH_EVENT_DATA: Route(more.plain, services.news_feed_not_allowed),
    C.CANCEL_WSH_EVENT_DATA: Route(more.plain, services.nothing),
    C.REQ_FA: Route(more.versioned, services.request_fa),
    C.REPLACE_FA: Route(more.replace_fa, services.replace_fa),
    # TWS itself: display groups, verification, its log level
    C.QUERY_DISPLAY_GROUPS: Route(more.versioned, services.query_display_groups),
    C.SUBSCRIBE_TO_GROUP_EVENTS: Route(more.display_group, services.subscribe_to_group),
    C.UPDATE_DISPLAY_GROUP: Route(more.display_group, services.update_display_group),
    C.UNSUBSCRIBE_FROM_GROUP_EVENTS: Route(more.versioned, services.unsubscribe_from_group),
    C.VERIFY_REQUEST: Route(more.unread, services.verify),
    C.VERIFY_MESSAGE: Route(more.unread, services.verify),
    C.VERIFY_AND_AUTH_REQUEST: Route(more.unread, services.verify_and_auth),
    C.VERIFY_AND_AUTH_MESSAGE: Route(more.unread, services.verify_and_auth),
    C.SET_SERVER_LOGLEVEL: Route(more.versioned, services.nothing),
}
