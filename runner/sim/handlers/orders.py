"""Order requests (place, modify, cancel, open/completed orders, executions) and the delivery of
the broker's order events to the sessions that see them."""

from __future__ import annotations

from runner.ib.error_codes import ErrorCode
from runner.sim.handlers.base import NO_SECURITY, Context, send_error, send_paced
from runner.sim.protocol import encoders as enc
from runner.sim.protocol import encoders_orders as oenc
from runner.sim.protocol.requests_orders import CancelOrderRequest, ExecutionsRequest, PlaceOrderRequest
from runner.sim.session import Session
from runner.sim.world.events import OrderEvent

READ_ONLY = "Error validating request.-'bN' : cause - The API interface is currently in Read-Only mode."


def deliver_order_event(sessions: dict[int, Session], event: OrderEvent) -> None:
    """Order/execution messages go to the owning client and to master (id 0) clients."""
    for session in list(sessions.values()):
        if session.client_id == event.client_id or session.client_id == 0:
            session.send(oenc.order_event(session.version, event))


async def place_order(ctx: Context, session: Session, request: PlaceOrderRequest) -> None:
    ticket = request.ticket
    if ctx.config.read_only_api:
        send_error(session, ticket.order_id, ErrorCode.ERROR_VALIDATING_REQUEST, READ_ONLY)
        return
    matches = ctx.world.universe.match(request.contract)
    if len(matches) != 1 or matches[0].expired:  # an expired contract no longer trades
        send_error(session, ticket.order_id, ErrorCode.NO_SECURITY_DEFINITION, NO_SECURITY)
        return
    broker = ctx.world.broker
    if ticket.account and ticket.account not in broker.accounts:
        text = f"Error validating request:-account {ticket.account} is not managed by this login"
        send_error(session, ticket.order_id, ErrorCode.ERROR_VALIDATING_REQUEST, text)
        return
    broker.place(session.client_id, ticket, matches[0])


async def cancel_order(ctx: Context, session: Session, request: CancelOrderRequest) -> None:
    ctx.world.broker.cancel(session.client_id, request.order_id)


async def global_cancel(ctx: Context, session: Session, request: None) -> None:
    ctx.world.broker.cancel_all()


def _open_order_frames(ctx: Context, session: Session, everyone: bool) -> list[bytes]:
    frames = []
    for order in ctx.world.broker.working_orders():
        if everyone or session.client_id in (0, order.client_id):
            frames += [oenc.open_order(session.version, order), oenc.order_status(order)]
    return [*frames, oenc.open_order_end()]


async def open_orders(ctx: Context, session: Session, request: None) -> None:
    await send_paced(ctx, session, _open_order_frames(ctx, session, False))


async def all_open_orders(ctx: Context, session: Session, request: None) -> None:
    await send_paced(ctx, session, _open_order_frames(ctx, session, True))


async def auto_open_orders(ctx: Context, session: Session, request: None) -> None:
    """Binding TWS orders has nothing to bind in the simulator."""


async def completed_orders(ctx: Context, session: Session, request: None) -> None:
    frames = [oenc.completed_order(session.version, o) for o in ctx.world.broker.completed]
    await send_paced(ctx, session, [*frames, oenc.completed_orders_end()])


async def executions(ctx: Context, session: Session, request: ExecutionsRequest) -> None:
    frames = []
    for account in ctx.world.broker.accounts.values():
        for e in account.executions:
            if request.filter.matches(e):
                frames += [oenc.exec_details(session.version, request.req_id, e), oenc.commission_report(e)]
    frames.append(oenc.exec_details_end(request.req_id))
    await send_paced(ctx, session, frames)


async def req_ids(ctx: Context, session: Session, request: None) -> None:
    session.send([enc.next_valid_id(ctx.world.broker.next_order_id)])
