"""nautilus' HistoricInteractiveBrokersClient: instruments, bars and ticks from the simulator."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from nautilus_trader.adapters.interactive_brokers.historical.client import (
    HistoricInteractiveBrokersClient,
)

pytestmark = pytest.mark.slow


def test_instruments_bars_and_ticks(sim):
    async def scenario():
        client = HistoricInteractiveBrokersClient(port=sim.port, client_id=31, log_level="ERROR")
        await client.connect()
        await asyncio.sleep(0.5)
        instruments = await client.request_instruments(
            instrument_ids=["AAPL.NASDAQ", "EUR/USD.IDEALPRO"])
        assert sorted(str(i.id) for i in instruments) == ["AAPL.NASDAQ", "EUR/USD.IDEALPRO"]

        end = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # naive, in tz_name
        bars = await client.request_bars(
            bar_specifications=["1-HOUR-LAST", "5-MINUTE-MID"], end_date_time=end,
            tz_name="UTC", duration="1 D", instrument_ids=["AAPL.NASDAQ"], use_rth=False)
        hourly = [b for b in bars if "1-HOUR" in str(b.bar_type)]
        five = [b for b in bars if "5-MINUTE" in str(b.bar_type)]
        assert 23 <= len(hourly) <= 25 and 280 <= len(five) <= 289

        start = end - dt.timedelta(minutes=10)
        trades = await client.request_ticks("TRADES", start_date_time=start, end_date_time=end,
                                            tz_name="UTC", instrument_ids=["AAPL.NASDAQ"],
                                            use_rth=False)
        quotes = await client.request_ticks("BID_ASK", start_date_time=start, end_date_time=end,
                                            tz_name="UTC", instrument_ids=["EUR/USD.IDEALPRO"],
                                            use_rth=False, limit=150)
        return trades, quotes, start, end

    trades, quotes, start, end = asyncio.run(scenario())
    lo = int(start.replace(tzinfo=dt.UTC).timestamp() * 1e9)
    hi = int(end.replace(tzinfo=dt.UTC).timestamp() * 1e9)
    assert 100 <= len(trades) <= 600
    assert all(lo <= t.ts_event <= hi for t in trades)
    assert [t.ts_event for t in trades] == sorted(t.ts_event for t in trades)
    assert len(quotes) == 150
    assert all(q.bid_price < q.ask_price for q in quotes)
