"""A strategy that is safe to restart: it trades once, and a restarted node resumes its orders.

On its first start it waits for a quote, then buys ``trade_size`` at market (filled at once) and
rests a buy limit ``limit_offset_ticks`` below the bid (it does not fill). It never cancels on
stop: the limit order is meant to outlive the process at the broker.

On a later start from the same spec with a Redis cache (`node.cache.database`), nautilus has
loaded its orders and position from Redis before it starts and reconciled them with IB, so it
finds them in the cache and places nothing: one market order and one limit order per account,
however often the node is stopped, killed or restarted. (Without a cache database a restarted
node knows none of them — IB's orders come back as EXTERNAL — and it would trade again.)
"""

from __future__ import annotations

from decimal import Decimal

from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import OrderSide, TimeInForce
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.strategy import Strategy


class RestingOrderStrategyConfig(StrategyConfig, frozen=True):
    instrument_id: str = "AAPL.NASDAQ"
    trade_size: Decimal = Decimal(10)
    limit_offset_ticks: int = 500
    """How far below the bid the resting limit order is placed, in price increments."""


class RestingOrderStrategy(Strategy):
    def __init__(self, config: RestingOrderStrategyConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.placed = False

    def on_start(self) -> None:
        mine = self.cache.orders(strategy_id=self.id)
        if mine:
            self.placed = True
            open_orders = [str(order.client_order_id) for order in mine if order.is_open]
            self.log.info(f"RESUMED {len(mine)} orders from the cache (open: {', '.join(open_orders) or 'none'})")
            return
        if self.cache.instrument(self.instrument_id) is None:
            self.log.error(f"{self.instrument_id} is not loaded: add it to instruments.load_ids")
            return
        self.subscribe_quote_ticks(self.instrument_id)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        if self.placed:
            return
        self.placed = True
        instrument = self.cache.instrument(self.instrument_id)
        quantity = instrument.make_qty(self.config.trade_size)
        self.submit_order(self.order_factory.market(self.instrument_id, OrderSide.BUY, quantity))
        price = tick.bid_price.as_double() - self.config.limit_offset_ticks * float(instrument.price_increment)
        limit = self.order_factory.limit(
            self.instrument_id,
            OrderSide.BUY,
            quantity,
            instrument.make_price(price),
            time_in_force=TimeInForce.GTC,
        )
        self.submit_order(limit)
        self.log.info(f"PLACED a market order and a resting limit order {limit.client_order_id} at {limit.price}")
