"""The demo strategy of `specs/demo.yaml`: a short, scripted tour of the IB execution client.

Timeline (seconds after start, all configurable):

- subscribes quotes and bars of ``instrument_id``;
- ``market_at``: buys ``trade_size`` at market;
- ``limit_at``: places a buy limit ``limit_offset_ticks`` below the bid (it does not fill);
- ``modify_at``: moves that limit one tick further away;
- ``cancel_at``: cancels it;
- ``close_at``: closes the position;
- ``stop_after``: asks the node to shut down (`shutdown_system`), so `ibrun` prints its summary
  and exits 0 without `--duration`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import Bar, BarType, QuoteTick
from nautilus_trader.model.enums import OrderSide, TimeInForce
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.orders import LimitOrder
from nautilus_trader.trading.strategy import Strategy


class DemoStrategyConfig(StrategyConfig, frozen=True):
    instrument_id: str = "AAPL.NASDAQ"
    bar_spec: str = "5-SECOND-LAST"
    trade_size: Decimal = Decimal(10)
    limit_offset_ticks: int = 20
    market_at: float = 3.0
    limit_at: float = 6.0
    modify_at: float = 10.0
    cancel_at: float = 14.0
    close_at: float = 18.0
    stop_after: float = 25.0
    """Seconds after start when the strategy shuts the node down (0: never)."""
    fail_on_start: bool = False
    """Raise in on_start (tests use it to check that ibrun reports the failure)."""


class DemoStrategy(Strategy):
    def __init__(self, config: DemoStrategyConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.limit_order: LimitOrder | None = None
        self.quotes = 0
        self.bars = 0

    def on_start(self) -> None:
        if self.config.fail_on_start:
            raise RuntimeError("DemoStrategy was told to fail in on_start (fail_on_start: true)")
        if self.cache.instrument(self.instrument_id) is None:
            self.log.error(f"{self.instrument_id} is not loaded: add it to instruments.load_ids")
            return
        self.subscribe_quote_ticks(self.instrument_id)
        bar_type = BarType.from_str(f"{self.instrument_id}-{self.config.bar_spec}-EXTERNAL")
        self.subscribe_bars(bar_type)
        steps = [
            ("market", self.config.market_at, self._market),
            ("limit", self.config.limit_at, self._limit),
            ("modify", self.config.modify_at, self._modify),
            ("cancel", self.config.cancel_at, self._cancel),
            ("close", self.config.close_at, self._close),
        ]
        if self.config.stop_after > 0:
            steps.append(("stop", self.config.stop_after, self._stop_node))
        now = self.clock.utc_now()
        for name, at, action in steps:
            self.clock.set_time_alert(f"demo-{name}", now + timedelta(seconds=at), lambda _event, act=action: act())

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.quotes += 1

    def on_bar(self, bar: Bar) -> None:
        self.bars += 1

    def _market(self) -> None:
        instrument = self.cache.instrument(self.instrument_id)
        order = self.order_factory.market(
            instrument_id=self.instrument_id,
            order_side=OrderSide.BUY,
            quantity=instrument.make_qty(self.config.trade_size),
        )
        self.submit_order(order)

    def _limit(self) -> None:
        instrument = self.cache.instrument(self.instrument_id)
        quote = self.cache.quote_tick(self.instrument_id)
        if quote is None:
            self.log.warning("No quote yet: skipping the limit order")
            return
        price = quote.bid_price.as_double() - self.config.limit_offset_ticks * float(instrument.price_increment)
        self.limit_order = self.order_factory.limit(
            instrument_id=self.instrument_id,
            order_side=OrderSide.BUY,
            quantity=instrument.make_qty(self.config.trade_size),
            price=instrument.make_price(price),
            time_in_force=TimeInForce.DAY,
        )
        self.submit_order(self.limit_order)

    def _modify(self) -> None:
        order = self.limit_order
        if order is None or not order.is_open:
            self.log.warning("No open limit order to modify")
            return
        instrument = self.cache.instrument(self.instrument_id)
        new_price = order.price.as_double() - float(instrument.price_increment)
        self.modify_order(order, price=instrument.make_price(new_price))

    def _cancel(self) -> None:
        if self.limit_order is not None and self.limit_order.is_open:
            self.cancel_order(self.limit_order)

    def _close(self) -> None:
        self.close_all_positions(self.instrument_id)

    def _stop_node(self) -> None:
        self.log.info(f"Demo finished ({self.quotes} quotes, {self.bars} bars): shutting down")
        self.shutdown_system("demo finished")

    def on_stop(self) -> None:
        self.cancel_all_orders(self.instrument_id)
