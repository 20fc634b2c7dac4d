"""Requests for IB services the simulated account has no data for, answered as IB answers such an
account (paper, no news/fundamentals subscriptions, not an advisor), plus the display-group,
verification, bulletin and log-level requests of TWS itself."""

from __future__ import annotations

from runner.ib.error_codes import ErrorCode
from runner.sim.handlers.base import Context, send_error
from runner.sim.protocol import encoders_more as menc
from runner.sim.protocol.requests_more import FundamentalRequest, NewsRequest, NoReply, ReplaceFaRequest, TextRequest
from runner.sim.session import Session

NEWS_PROVIDERS = [
    ("BRFG", "Briefing.com General Market Columns"),
    ("BRFUPDN", "Briefing.com Analyst Actions"),
    ("DJNL", "Dow Jones Newsletters"),
]
NEWS_NOT_ALLOWED = "News feed is not allowed."
FUNDAMENTALS = "The fundamentals data for the security specified is not available."
NOT_ADVISOR = "Error validating request.-'b9' : cause - FA data operations ignored for non FA customers."
DISPLAY_GROUPS = "1|2|3|4|5|6|7"
NO_VERIFICATION = "API verification is not available for this login"


async def nothing(ctx: Context, session: Session, request: NoReply) -> None:
    """Settings and unsubscribes: IB sends nothing back (setServerLogLevel, cancels of
    fundamentals/histogram/head timestamp/calculations/scanner/WSH, unsubscribe from a group)."""


async def news_bulletins(ctx: Context, session: Session, request: NoReply) -> None:
    """Subscribed; the simulated exchanges publish no bulletins."""
    session.news_bulletins = True


async def cancel_news_bulletins(ctx: Context, session: Session, request: NoReply) -> None:
    session.news_bulletins = False


async def news_providers(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.news_providers(NEWS_PROVIDERS)])


async def historical_news(ctx: Context, session: Session, request: NewsRequest) -> None:
    """The free providers are valid and have no headlines in the simulator; others are refused."""
    valid = {code for code, _ in NEWS_PROVIDERS}
    asked = [code for code in request.codes.split("+") if code]
    if not asked or any(code not in valid for code in asked):
        names = ", ".join(sorted(valid))
        text = f"Error validating request:-'bR' : cause - The entered news source is invalid. Valid are: [{names}]"
        send_error(session, request.req_id, ErrorCode.ERROR_VALIDATING_REQUEST, text)
        return
    session.send([menc.historical_news_end(request.req_id, False)])


async def news_feed_not_allowed(ctx: Context, session: Session, request: NoReply | NewsRequest) -> None:
    """News articles and Wall Street Horizon data need subscriptions the account lacks."""
    send_error(session, request.req_id, ErrorCode.NEWS_FEED_NOT_ALLOWED, NEWS_NOT_ALLOWED)


async def fundamental_data(ctx: Context, session: Session, request: FundamentalRequest) -> None:
    send_error(session, request.req_id, ErrorCode.FUNDAMENTALS_UNAVAILABLE, FUNDAMENTALS)


async def request_fa(ctx: Context, session: Session, request: NoReply) -> None:
    send_error(session, -1, ErrorCode.ERROR_VALIDATING_REQUEST, NOT_ADVISOR)


async def replace_fa(ctx: Context, session: Session, request: ReplaceFaRequest) -> None:
    send_error(session, request.req_id, ErrorCode.ERROR_VALIDATING_REQUEST, NOT_ADVISOR)


async def soft_dollar_tiers(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.soft_dollar_tiers(request.req_id)])


async def query_display_groups(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.display_group_list(request.req_id, DISPLAY_GROUPS)])


async def subscribe_to_group(ctx: Context, session: Session, request: TextRequest) -> None:
    session.display_groups[request.req_id] = int(request.text or 0)
    session.send([menc.display_group_updated(request.req_id, "none")])


async def update_display_group(ctx: Context, session: Session, request: TextRequest) -> None:
    """The group now shows `contractInfo` ("conId@exchange" or "none"): subscribers hear it."""
    if request.req_id in session.display_groups:
        session.send([menc.display_group_updated(request.req_id, request.text or "none")])


async def unsubscribe_from_group(ctx: Context, session: Session, request: NoReply) -> None:
    session.display_groups.pop(request.req_id, None)


async def verify(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.verify_completed(False, NO_VERIFICATION, and_auth=False)])


async def verify_and_auth(ctx: Context, session: Session, request: NoReply) -> None:
    session.send([menc.verify_completed(False, NO_VERIFICATION, and_auth=True)])
