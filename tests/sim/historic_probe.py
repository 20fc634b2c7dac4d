"""Child-process probe for HistoricInteractiveBrokersClient (it initialises nautilus logging,
which can happen only once per process). Prints one JSON object with what it received."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from nautilus_trader.adapters.interactive_brokers.historical.client import (
    HistoricInteractiveBrokersClient,
)


async def probe(port: int) -> dict:
    client = HistoricInteractiveBrokersClient(port=port, client_id=31, log_level="ERROR")
    await client.connect()  # returns once the client is ready (nextValidId + managedAccounts seen)
    instruments = await client.request_instruments(instrument_ids=["AAPL.NASDAQ", "EUR/USD.IDEALPRO"])
    end = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # naive, in tz_name
    bars = await client.request_bars(
        bar_specifications=["1-HOUR-LAST", "5-MINUTE-MID"],
        end_date_time=end,
        tz_name="UTC",
        duration="1 D",
        instrument_ids=["AAPL.NASDAQ"],
        use_rth=False,
    )
    start = end - dt.timedelta(minutes=10)
    trades = await client.request_ticks(
        "TRADES", start_date_time=start, end_date_time=end, tz_name="UTC", instrument_ids=["AAPL.NASDAQ"], use_rth=False
    )
    quotes = await client.request_ticks(
        "BID_ASK",
        start_date_time=start,
        end_date_time=end,
        tz_name="UTC",
        instrument_ids=["EUR/USD.IDEALPRO"],
        use_rth=False,
        limit=150,
    )
    return {
        "instruments": sorted(str(i.id) for i in instruments),
        "bars": {spec: sum(1 for b in bars if spec in str(b.bar_type)) for spec in ("1-HOUR", "5-MINUTE")},
        "bars_ok": all(b.low <= b.open <= b.high and b.low <= b.close <= b.high for b in bars),
        "window": [
            int(start.replace(tzinfo=dt.UTC).timestamp() * 1e9),
            int(end.replace(tzinfo=dt.UTC).timestamp() * 1e9),
        ],
        "trade_ts": [t.ts_event for t in trades],
        "quote_count": len(quotes),
        "quotes_ok": all(q.bid_price < q.ask_price for q in quotes),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(int(sys.argv[1])))))
