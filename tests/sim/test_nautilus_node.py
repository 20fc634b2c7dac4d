"""A nautilus TradingNode with IB data + exec clients against the simulator (real TCP)."""

from __future__ import annotations

import datetime as dt

import pytest
from nautilus_trader.model.data import BarType
from nautilus_trader.model.enums import BookType, OrderSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.model.objects import Price, Quantity
from node_harness import IBContract, node_config, run_scenario, wait_until

from runner.sim.world.chains import MONTH_CODES, future_months

pytestmark = pytest.mark.slow

AAPL = InstrumentId.from_str("AAPL.NASDAQ")
EURUSD = InstrumentId.from_str("EUR/USD.IDEALPRO")


def front_es() -> str:
    year, month, _ = future_months({"months": "HMUZ", "count": 1}, dt.date.today())[0]
    return f"ES{MONTH_CODES[month - 1]}{year % 10}.CME"


def config(port: int, client_id: int):
    return node_config(
        port,
        load_ids=frozenset(
            {"AAPL.NASDAQ", "EUR/USD.IDEALPRO", "BTC/USD.PAXOS", "ES.CME", front_es(), "^SPX.CBOE", "BF-B.NYSE"}
        ),
        load_contracts=frozenset(
            {
                IBContract(
                    secType="STK",
                    symbol="SPY",
                    exchange="SMART",
                    primaryExchange="ARCA",
                    build_options_chain=True,
                    min_expiry_days=0,
                    max_expiry_days=4,
                ),
                IBContract(secType="CONTFUT", exchange="CME", symbol="ES", build_futures_chain=True),
            }
        ),
        client_id=client_id,
    )


async def _data_checks(node, strategy) -> None:
    ids = {str(i.id) for i in node.cache.instruments()}
    assert {"AAPL.NASDAQ", "EUR/USD.IDEALPRO", "ES.CME", front_es(), "BF-B.NYSE"} <= ids
    options = [i for i in ids if i.startswith("SPY ")]
    assert len(options) >= 100, f"SPY chain: {len(options)}"
    assert sum(1 for i in ids if i.startswith("ES") and i[3:4].isdigit()) >= 6
    five_sec = BarType.from_str("AAPL.NASDAQ-5-SECOND-LAST-EXTERNAL")
    ten_sec = BarType.from_str("EUR/USD.IDEALPRO-10-SECOND-MID-EXTERNAL")
    for instrument in (AAPL, EURUSD):
        strategy.subscribe_quote_ticks(instrument)
    strategy.subscribe_trade_ticks(AAPL)
    strategy.subscribe_bars(five_sec)
    strategy.subscribe_bars(ten_sec)
    strategy.subscribe_order_book_deltas(AAPL, BookType.L2_MBP)
    seen = strategy.seen
    await wait_until(lambda: len(seen[f"quote:{AAPL}"]) > 3 and len(seen[f"quote:{EURUSD}"]) > 3, 15, "quotes")
    quote = seen[f"quote:{EURUSD}"][-1]
    assert 0.9 < quote.bid_price.as_double() < quote.ask_price.as_double() < 1.3
    await wait_until(lambda: seen[f"trade:{AAPL}"] and seen[f"depth:{AAPL}"], 15, "trades and depth")
    await wait_until(lambda: seen[f"bar:{five_sec}"] and seen[f"bar:{ten_sec}"], 25, "bars")
    bar = seen[f"bar:{five_sec}"][-1]
    assert bar.low <= bar.open <= bar.high and bar.low <= bar.close <= bar.high


async def _order_checks(node, strategy) -> None:
    seen = strategy.seen
    buy = strategy.order_factory.market(AAPL, OrderSide.BUY, Quantity.from_int(10))
    strategy.submit_order(buy)
    await wait_until(lambda: seen["order:OrderFilled"], 10, "market order fill")
    fill = seen["order:OrderFilled"][0]
    assert fill.client_order_id == buy.client_order_id and fill.last_qty == 10
    limit = strategy.order_factory.limit(AAPL, OrderSide.BUY, Quantity.from_int(5), Price.from_str("100.00"))
    strategy.submit_order(limit)
    await wait_until(
        lambda: (
            seen["order:OrderAccepted"]
            and any(e.client_order_id == limit.client_order_id for e in seen["order:OrderAccepted"])
        ),
        10,
        "limit accepted",
    )
    strategy.modify_order(limit, price=Price.from_str("101.00"))
    await wait_until(lambda: any(e.price == Price.from_str("101.00") for e in seen["order:OrderUpdated"]), 10, "modify")
    strategy.cancel_order(limit)
    await wait_until(lambda: seen["order:OrderCanceled"], 10, "cancel")
    await wait_until(lambda: node.portfolio.net_position(AAPL) == 10, 5, "position 10")


def test_node_data_orders_and_restart_reconciles(sim):
    async def first_run(node, strategy):
        await _data_checks(node, strategy)
        await _order_checks(node, strategy)
        return True

    assert run_scenario(config(sim.port, 1), first_run)

    async def second_run(node, strategy):
        # the position opened in the first run comes back through reconciliation
        await wait_until(lambda: node.portfolio.net_position(AAPL) == 10, 15, "reconciled position")
        return node.cache.positions_open(instrument_id=AAPL)

    assert run_scenario(config(sim.port, 2), second_run)
