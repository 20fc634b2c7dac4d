"""A strategy the end-to-end tests drive from outside: every file `<n>.<action>` that appears in
``trigger_dir`` makes it act once (`market`: buy 1 at market, `limit`: a buy limit far below the
bid that rests, `cancel`: cancel the last limit order); every order event it sees is appended to
``trigger_dir/events.jsonl`` as one JSON object (event, order, reason)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.enums import OrderSide, TimeInForce
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.strategy import Strategy


class TriggerStrategyConfig(StrategyConfig, frozen=True):
    instrument_id: str = "AAPL.NASDAQ"
    trigger_dir: str = "."


class TriggerStrategy(Strategy):
    def __init__(self, config: TriggerStrategyConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.dir = Path(config.trigger_dir)
        self.done: set[str] = set()
        self.limit: Any = None

    def on_start(self) -> None:
        self.subscribe_quote_ticks(self.instrument_id)
        self.clock.set_timer("triggers", timedelta(milliseconds=100), callback=lambda _event: self._scan())

    def _scan(self) -> None:
        for path in sorted(self.dir.glob("*.*")):
            name = path.name
            if name in self.done or not name.split(".")[0].isdigit():
                continue
            self.done.add(name)
            getattr(self, "_" + path.suffix.lstrip("."))(name)

    def _market(self, name: str) -> None:
        order = self.order_factory.market(self.instrument_id, OrderSide.BUY, self._qty())
        self._record("sent", order.client_order_id, name)
        self.submit_order(order)

    def _limit(self, name: str) -> None:
        instrument = self.cache.instrument(self.instrument_id)
        price = instrument.make_price(1.0)  # far below the market: it rests
        self.limit = self.order_factory.limit(self.instrument_id, OrderSide.BUY, self._qty(), price, TimeInForce.GTC)
        self._record("sent", self.limit.client_order_id, name)
        self.submit_order(self.limit)

    def _cancel(self, name: str) -> None:
        self._record("cancel", self.limit.client_order_id, name)
        self.cancel_order(self.limit)

    def _qty(self) -> Any:
        return self.cache.instrument(self.instrument_id).make_qty(Decimal(1))

    def _record(self, event: str, order: Any, reason: str = "") -> None:
        line = json.dumps({"event": event, "order": str(order), "reason": reason})
        with open(self.dir / "events.jsonl", "a") as out:
            out.write(line + "\n")

    def on_order_submitted(self, event: Any) -> None:
        self._record("submitted", event.client_order_id)

    def on_order_accepted(self, event: Any) -> None:
        self._record("accepted", event.client_order_id)

    def on_order_rejected(self, event: Any) -> None:
        self._record("rejected", event.client_order_id, event.reason)

    def on_order_filled(self, event: Any) -> None:
        self._record("filled", event.client_order_id)

    def on_order_canceled(self, event: Any) -> None:
        self._record("canceled", event.client_order_id)
