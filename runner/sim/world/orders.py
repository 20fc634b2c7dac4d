"""Orders and the matching rules for every supported order type and time in force."""

from __future__ import annotations

from dataclasses import dataclass, field

from runner.sim.world.commissions import OrderVolume
from runner.sim.world.market import Quote, round_price
from runner.sim.world.records import ContractRecord
from runner.sim.world.times import parse_good_till

SUPPORTED_TYPES = frozenset({"MKT", "LMT", "STP", "STP LMT", "MIT", "LIT", "TRAIL", "TRAIL LIMIT", "MOC", "LOC", "MTL"})
SUPPORTED_TIFS = frozenset({"DAY", "GTC", "IOC", "FOK", "GTD", "OPG", "CLS", "GTX", "DTC"})
AUCTION_TYPES = frozenset({"MOC", "LOC"})
AUCTION_TIFS = frozenset({"OPG", "CLS"})
TERMINAL = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})


@dataclass(frozen=True, slots=True)
class OrderTicket:
    """An order as a client placed (or modified) it: IB's order fields the simulator honours."""

    order_id: int
    action: str = ""
    total_qty: float = 0.0
    order_type: str = ""
    lmt_price: float | None = None
    aux_price: float | None = None
    tif: str = "DAY"
    oca_group: str = ""
    account: str = ""
    open_close: str = ""
    order_ref: str = ""
    transmit: bool = True
    parent_id: int = 0
    outside_rth: bool = False
    good_after_time: str = ""
    good_till_date: str = ""
    oca_type: int = 0
    trail_stop_price: float | None = None
    trailing_percent: float | None = None
    lmt_price_offset: float | None = None
    cash_qty: float | None = None
    what_if: bool = False


@dataclass
class SimOrder:
    order_id: int
    client_id: int
    perm_id: int
    account: str
    record: ContractRecord
    action: str
    total_qty: float
    order_type: str
    lmt_price: float | None
    aux_price: float | None
    tif: str
    oca_group: str = ""
    order_ref: str = ""
    open_close: str = ""
    outside_rth: bool = False
    good_till_date: str = ""
    good_after_time: str = ""
    parent_id: int = 0
    transmit: bool = True
    trail_stop_price: float | None = None
    trailing_percent: float | None = None
    lmt_price_offset: float | None = None
    ib_status: str = "PreSubmitted"
    filled: float = 0.0
    avg_fill_price: float = 0.0
    last_fill_price: float = 0.0
    triggered: bool = False
    extreme: float | None = None  # best price seen, for trailing stops
    completed_time: str = ""
    completed_status: str = ""
    day_end: float | None = None
    """A DAY order ends with the session it was placed in (or the next one)."""
    volume: OrderVolume = field(default_factory=OrderVolume)
    """Executions so far, for the per-order commission minimum."""

    @property
    def remaining(self) -> float:
        return max(self.total_qty - self.filled, 0.0)

    @property
    def is_buy(self) -> bool:
        return self.action == "BUY"

    @property
    def is_done(self) -> bool:
        return self.ib_status in TERMINAL

    @property
    def is_auction(self) -> bool:
        return self.order_type in AUCTION_TYPES or self.tif in AUCTION_TIFS

    def apply(self, ticket: OrderTicket) -> None:
        """Copy the modifiable fields of a (re)placed order."""
        self.action = ticket.action or self.action
        self.total_qty = ticket.total_qty
        self.order_type = ticket.order_type
        self.lmt_price, self.aux_price = ticket.lmt_price, ticket.aux_price
        self.tif, self.oca_group = ticket.tif, ticket.oca_group
        self.order_ref, self.open_close = ticket.order_ref, ticket.open_close
        self.outside_rth = ticket.outside_rth
        self.good_till_date, self.good_after_time = ticket.good_till_date, ticket.good_after_time
        self.parent_id, self.transmit = ticket.parent_id, ticket.transmit
        self.trail_stop_price, self.trailing_percent = (ticket.trail_stop_price, ticket.trailing_percent)
        self.lmt_price_offset = ticket.lmt_price_offset
        self.extreme = None
        self.triggered = False


def validation_error(ticket: OrderTicket) -> str | None:
    """Why IB would reject this order (error 201 text), or None."""
    if ticket.order_type not in SUPPORTED_TYPES:
        return f"Unsupported order type {ticket.order_type!r}"
    if ticket.tif not in SUPPORTED_TIFS:
        return f"Invalid time in force {ticket.tif!r}"
    if ticket.action not in ("BUY", "SELL", "SSHORT"):
        return f"Invalid action {ticket.action!r}"
    if ticket.total_qty <= 0 and not ticket.cash_qty:
        return "Order size must be positive"
    needs_limit = ticket.order_type in ("LMT", "STP LMT", "LIT", "LOC")
    if needs_limit and ticket.lmt_price is None:
        return "Limit price is required for this order type"
    if ticket.order_type in ("STP", "STP LMT", "MIT", "LIT") and ticket.aux_price is None:
        return "Trigger (aux) price is required for this order type"
    if ticket.order_type.startswith("TRAIL") and ticket.aux_price is None and ticket.trailing_percent is None:
        return "Trailing amount or percent is required"
    if ticket.tif == "GTD" and not ticket.good_till_date:
        return "Good-till-date orders need goodTillDate"
    return None


def _touch(order: SimOrder, quote: Quote) -> bool:
    """Has the trigger of a stop / if-touched / trailing order been reached?"""
    if order.order_type.startswith("TRAIL"):
        return _trail_touch(order, quote)
    aux = order.aux_price
    if aux is None:
        return order.order_type not in ("STP", "STP LMT", "MIT", "LIT")  # validated at placement
    if order.order_type in ("STP", "STP LMT"):
        return quote.ask >= aux if order.is_buy else quote.bid <= aux
    if order.order_type in ("MIT", "LIT"):
        return quote.ask <= aux if order.is_buy else quote.bid >= aux
    return True


def _trail_touch(order: SimOrder, quote: Quote) -> bool:
    reference = quote.ask if order.is_buy else quote.bid
    if order.extreme is None:
        order.extreme = reference
    better = min if order.is_buy else max
    order.extreme = better(order.extreme, reference)
    if order.trailing_percent is not None:
        distance = order.extreme * order.trailing_percent / 100.0
    else:
        distance = order.aux_price or 0.0
    stop = order.extreme + distance if order.is_buy else order.extreme - distance
    if order.trail_stop_price is not None:
        stop = min(stop, order.trail_stop_price) if order.is_buy else max(stop, order.trail_stop_price)
    order.trail_stop_price = round_price(stop, order.record.minTick, round)
    return reference >= order.trail_stop_price if order.is_buy else reference <= order.trail_stop_price


def _limit_of(order: SimOrder) -> float | None:
    if order.order_type in ("LMT", "STP LMT", "LIT", "LOC"):
        return order.lmt_price
    if order.order_type == "TRAIL LIMIT":
        offset = order.lmt_price_offset or 0.0
        if order.lmt_price is not None and order.lmt_price_offset is None:
            return order.lmt_price
        stop = order.trail_stop_price or 0.0
        return stop + offset if order.is_buy else stop - offset
    return None


def fill_price(order: SimOrder, quote: Quote, resting: bool) -> float | None:
    """Price at which a continuous-market order executes now, or None."""
    if not order.triggered:
        if not _touch(order, quote):
            return None
        order.triggered = True
    limit = _limit_of(order)
    touch = quote.ask if order.is_buy else quote.bid
    if limit is None:
        return touch
    marketable = touch <= limit if order.is_buy else touch >= limit
    if not marketable:
        return None
    # A resting limit is hit at its own price; a marketable new one takes the quote.
    return limit if resting else touch


def auction_price(order: SimOrder, quote: Quote) -> float | None:
    price = round_price(quote.mid, order.record.minTick, round)
    limit = order.lmt_price if order.order_type in ("LMT", "LOC") else None
    if limit is not None and (price > limit if order.is_buy else price < limit):
        return None
    return price


def gtd_expired(order: SimOrder, now: float) -> bool:
    if order.tif != "GTD" or not order.good_till_date:
        return False
    deadline = parse_good_till(order.good_till_date)
    return deadline is not None and now >= deadline
