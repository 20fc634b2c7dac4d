"""The IB side of a download: nautilus' InteractiveBrokersClient, one request at a time.

Requests go through the adapter's request registry and decoders (so rows are the same nautilus
objects HistoricInteractiveBrokersClient returns), but unlike `get_historical_bars` a failed
request raises: error 162 (pacing), 200 (no such contract), a timeout — never a silent `[]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ibapi.common import MarketDataTypeEnum
from nautilus_trader.adapters.interactive_brokers.client import InteractiveBrokersClient
from nautilus_trader.adapters.interactive_brokers.common import IBContract
from nautilus_trader.adapters.interactive_brokers.config import (
    InteractiveBrokersInstrumentProviderConfig,
)
from nautilus_trader.adapters.interactive_brokers.parsing.data import what_to_show
from nautilus_trader.adapters.interactive_brokers.providers import (
    InteractiveBrokersInstrumentProvider,
)
from nautilus_trader.cache.cache import Cache
from nautilus_trader.common.component import LiveClock, MessageBus
from nautilus_trader.model.data import BarType
from nautilus_trader.model.identifiers import InstrumentId, TraderId
from nautilus_trader.model.instruments import Instrument

from runner.download.planner import Series
from runner.errors import ClientIdInUse, HandshakeTimeout
from runner.gateway.probe import probe_gateway
from runner.ib.times import from_ns

TICKS_PER_PAGE = 1000


class IbRequestError(Exception):
    """IB answered a request with an error message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"IB error {code}: {message}")
        self.code = code
        self.message = message

    @property
    def is_pacing(self) -> bool:
        text = self.message.lower()
        return self.code == 162 and ("pacing" in text or "max rate" in text)

    @property
    def is_no_data(self) -> bool:
        """The window holds no data (HMDS "query returned no data"): an empty chunk."""
        text = self.message.lower()
        return self.code == 162 and ("returned no data" in text or "no data" in text)

    @property
    def is_unavailable(self) -> bool:
        """IB has no such history for this instrument (e.g. TRADES of a forex pair) or the
        account lacks the market data permission: skip the series, keep going."""
        text = self.message.lower()
        if self.code == 162:
            return "no historical market data" in text or "permission" in text
        return self.code in (354, 10089, 10090, 10167, 10168)


@dataclass(frozen=True)
class Resolved:
    """An instrument the gateway knows, with the contract to request its history with."""

    instrument: Instrument
    contract: IBContract
    source: str

    @property
    def instrument_id(self) -> str:
        return self.instrument.id.value


def preflight(host: str, port: int, client_id: int, timeout: float) -> None:
    """One TWS handshake first, as `ibrun run` does: unreachable (4), handshake timeout (5) and
    client id in use (6) become one clear error instead of the adapter's retry loop."""
    try:
        probe_gateway(host, port, client_id=client_id, timeout=timeout)
    except ClientIdInUse as error:
        raise ClientIdInUse(f"{error} (download.client_id)") from error


class IbSession:
    """One API connection used for the whole download."""

    def __init__(
        self,
        host: str,
        port: int,
        client_id: int,
        market_data_type: str,
        provider_config: InteractiveBrokersInstrumentProviderConfig,
        request_timeout: int = 60,
    ) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.market_data_type = getattr(MarketDataTypeEnum, market_data_type)
        loop = asyncio.get_running_loop()
        clock = LiveClock()
        msgbus = MessageBus(TraderId("IBRUN-DOWNLOAD"), clock)
        self.client = InteractiveBrokersClient(
            loop=loop,
            msgbus=msgbus,
            cache=Cache(),
            clock=clock,
            host=host,
            port=port,
            client_id=client_id,
            request_timeout_secs=request_timeout,
        )
        self.provider = InteractiveBrokersInstrumentProvider(self.client, clock, provider_config)
        self.client._instrument_provider = self.provider
        self._mine: set[int] = set()
        self._wrap_error_handler()

    def _wrap_error_handler(self) -> None:
        """Fail our pending request on an IB error instead of letting it run into its timeout
        (the adapter's own requests, e.g. contract details, keep their behaviour)."""
        client = self.client
        original = client.process_error

        async def process_error(**kwargs: Any) -> None:
            mine = kwargs["req_id"] in self._mine
            request = client._requests.get(req_id=kwargs["req_id"])
            await original(**kwargs)
            code = kwargs["error_code"]
            warning = code in client.WARNING_CODES or 2100 <= code < 2200
            if request is None or warning or request.future.done():
                return
            if mine:
                request.future.set_exception(IbRequestError(code, kwargs["error_string"]))
            elif code == 200:  # contract details: "not found" now, not after the timeout
                request.future.set_result([])

        client.process_error = process_error  # type: ignore[method-assign]

    async def connect(self, timeout: float) -> None:
        await asyncio.to_thread(preflight, self.host, self.port, self.client_id, min(timeout, 10.0))
        self.client.start()
        try:
            await self.client.wait_until_ready(int(max(1, timeout)))
        except TimeoutError as exc:
            raise HandshakeTimeout(
                f"{self.host}:{self.port} accepted the connection but the API handshake did not"
                f" finish within {timeout:.0f} s"
            ) from exc
        await self.client.set_market_data_type(self.market_data_type)

    async def close(self) -> None:
        """Stop the client: its state first, then its tasks.

        The state matters when the gateway went away: the client is then reconnecting in a task
        of its own, whose connect step swallows a cancellation and tries again until the client
        is stopped; cancelled at exit without that, it kept `asyncio.run` from ever returning."""
        with contextlib.suppress(Exception):  # best effort at exit
            if self.client.is_running:
                self.client.stop()  # STOPPING → STOPPED: a reconnect loop underway gives up
            await asyncio.wait_for(self.client._stop_async(), 5)

    async def resolve(self, item: InstrumentId | IBContract) -> list[Resolved]:
        """Instruments for one load_id or contract (chains give several); [] if IB knows none."""
        loaded = await self.provider.load_with_return_async(item)
        resolved = []
        for iid in loaded or []:
            instrument = self.provider.find(iid)
            contract = self.provider.contract.get(iid)
            if instrument is not None and contract is not None:
                resolved.append(Resolved(instrument, contract, str(item)))
        return resolved

    async def bars(
        self,
        series: Series,
        contract: IBContract,
        end_ns: int,
        duration: str,
        use_rth: bool,
        timeout: float,
    ) -> list:
        bar_type = BarType.from_str(series.identifier)
        end = from_ns(end_ns).astimezone(ZoneInfo("UTC"))
        end_text = end.strftime("%Y%m%d %H:%M:%S UTC") if contract.secType != "CONTFUT" else ""
        bar_size = series.bar.ib_bar_size if series.bar else ""
        return await self._request(
            (str(bar_type), end_text),
            functools.partial(
                self.client._eclient.reqHistoricalData,
                contract=contract,
                endDateTime=end_text,
                durationStr=duration,
                barSizeSetting=bar_size,
                whatToShow=what_to_show(bar_type),
                useRTH=use_rth,
                formatDate=2,
                keepUpToDate=False,
                chartOptions=[],
            ),
            timeout,
        )

    async def ticks(self, series: Series, contract: IBContract, end_ns: int, use_rth: bool, timeout: float) -> list:
        """Up to a page of ticks at or before `end_ns` (IB completes the earliest second)."""
        end_text = from_ns(end_ns).strftime("%Y%m%d %H:%M:%S UTC")
        return await self._request(
            (series.instrument_id, series.tick_type),
            functools.partial(
                self.client._eclient.reqHistoricalTicks,
                contract=contract,
                startDateTime="",
                endDateTime=end_text,
                numberOfTicks=TICKS_PER_PAGE,
                whatToShow=series.tick_type,
                useRth=use_rth,
                ignoreSize=False,
                miscOptions=[],
            ),
            timeout,
        )

    async def _request(self, name: tuple, send: functools.partial, timeout: float) -> list:
        client = self.client
        await client.wait_until_ready()
        req_id = client._next_req_id()
        request = client._requests.add(
            req_id=req_id,
            name=name,
            handle=functools.partial(send, reqId=req_id),
            cancel=functools.partial(client._eclient.cancelHistoricalData, reqId=req_id),
        )
        assert request is not None
        self._mine.add(req_id)
        try:
            request.handle()
            result = await client._await_request(request, int(max(1, timeout)), raise_on_error=True)
        finally:
            self._mine.discard(req_id)
        return list(result or [])
