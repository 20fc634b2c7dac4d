"""One connected API client: its negotiated version, client id, writer and subscriptions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from runner.sim.world.broker import PositionSnapshot
from runner.sim.world.market import Quote
from runner.sim.world.records import ContractRecord

WRITE_BUFFER_LIMIT = 8 * 1024 * 1024

DepthLevel = tuple[int, int, float, int]
"""(position, side 1=bid/0=ask, price, size)."""


@dataclass
class MarketDataSub:
    record: ContractRecord
    data_type: int
    last: Quote | None = None


@dataclass
class TickByTickSub:
    record: ContractRecord
    kind: str
    """BidAsk, Last, AllLast or MidPoint."""
    last_quote: Quote | None = None


@dataclass
class DepthSub:
    record: ContractRecord
    rows: int
    smart: bool
    book: list[DepthLevel] | None = None


@dataclass
class BarsSub:
    """5-second real-time bars, or keepUpToDate updates of a historical request."""

    record: ContractRecord
    what: str
    last_bar_start: int
    bar_seconds: int = 5
    format_date: int = 1
    use_rth: bool = False


@dataclass
class Session:
    writer: asyncio.StreamWriter
    version: int
    client_id: int
    peer: str = ""
    market_data_type: int = 1
    mkt_data: dict[int, MarketDataSub] = field(default_factory=dict)
    tick_by_tick: dict[int, TickByTickSub] = field(default_factory=dict)
    depth: dict[int, DepthSub] = field(default_factory=dict)
    rt_bars: dict[int, BarsSub] = field(default_factory=dict)
    hist_live: dict[int, BarsSub] = field(default_factory=dict)
    account_updates: str | None = None
    account_summary: dict[int, str] = field(default_factory=dict)
    positions: bool = False
    pnl: dict[int, str] = field(default_factory=dict)
    pnl_single: dict[int, tuple[str, int]] = field(default_factory=dict)
    position_snapshot: PositionSnapshot = field(default_factory=dict)
    positions_multi: dict[int, tuple[str, str]] = field(default_factory=dict)
    """reqId → (account or "", model code)."""
    multi_snapshots: dict[int, PositionSnapshot] = field(default_factory=dict)
    account_multi: dict[int, tuple[str, str, bool]] = field(default_factory=dict)
    """reqId → (account or "", model code, ledger and NLV only)."""
    display_groups: dict[int, int] = field(default_factory=dict)
    """reqId → subscribed display group."""
    news_bulletins: bool = False
    account_updates_sent: float = 0.0
    account_multi_sent: float = 0.0
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

    def abort(self) -> None:
        """Cut the connection abruptly, as when the gateway dies."""
        self.closed = True
        transport = self.writer.transport
        if transport is not None:
            transport.abort()

    def clear_subscriptions(self) -> None:
        self.mkt_data.clear()
        self.tick_by_tick.clear()
        self.depth.clear()
        self.rt_bars.clear()
        self.hist_live.clear()
        self.account_summary.clear()
        self.pnl.clear()
        self.pnl_single.clear()
        self.positions_multi.clear()
        self.account_multi.clear()
        self.account_updates = None
        self.positions = False
