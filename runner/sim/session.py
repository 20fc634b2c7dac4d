"""One connected API client: its negotiated version, client id, writer and subscriptions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from runner.sim.world.market import Quote
from runner.sim.world.records import ContractRecord

WRITE_BUFFER_LIMIT = 8 * 1024 * 1024


@dataclass
class MarketDataSub:
    record: ContractRecord
    data_type: int
    last: Quote | None = None


@dataclass
class StreamSub:
    record: ContractRecord
    kind: str = ""
    rows: int = 5
    smart: bool = False
    bar_seconds: int = 5
    format_date: int = 1
    what: str = "TRADES"
    last_quote: Quote | None = None
    last_bar_start: int = 0
    book: list | None = None


@dataclass
class Session:
    writer: asyncio.StreamWriter
    version: int
    client_id: int
    peer: str = ""
    market_data_type: int = 1
    mkt_data: dict[int, MarketDataSub] = field(default_factory=dict)
    tick_by_tick: dict[int, StreamSub] = field(default_factory=dict)
    depth: dict[int, StreamSub] = field(default_factory=dict)
    rt_bars: dict[int, StreamSub] = field(default_factory=dict)
    hist_live: dict[int, StreamSub] = field(default_factory=dict)
    account_updates: str | None = None
    account_summary: dict[int, str] = field(default_factory=dict)
    positions: bool = False
    pnl: dict[int, str] = field(default_factory=dict)
    pnl_single: dict[int, tuple[str, int]] = field(default_factory=dict)
    position_snapshot: dict = field(default_factory=dict)
    account_updates_sent: float = 0.0
    pnl_sent: float = 0.0
    closed: bool = False
    sent_messages: int = 0

    def send(self, frames: list[bytes]) -> None:
        if self.closed or not frames:
            return
        self.writer.write(b"".join(frames))
        self.sent_messages += len(frames)

    def congested(self) -> bool:
        transport = self.writer.transport
        return transport is None or transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT

    async def drain(self) -> None:
        if not self.closed:
            await self.writer.drain()

    def clear_subscriptions(self) -> None:
        for subs in (
            self.mkt_data,
            self.tick_by_tick,
            self.depth,
            self.rt_bars,
            self.hist_live,
            self.account_summary,
            self.pnl,
            self.pnl_single,
        ):
            subs.clear()
        self.account_updates = None
        self.positions = False
