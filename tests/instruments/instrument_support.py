"""Shared by the instrument-cache tests: a spec against a running simulator, `ibrun` processes,
and nautilus IB clients in this process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# load_ids, a stock contract, a futures chain and an option chain (AAPL, 0-20 days): every path
# of a load (per-venue lookup, futures chain, per-expiry option requests).
INSTRUMENTS = """\
instruments:
  load_ids: [SPY.ARCA, EUR/USD.IDEALPRO, ^SPX.CBOE]
  contracts:
    - {secType: STK, symbol: MSFT, exchange: SMART, primaryExchange: NASDAQ}
    - {secType: CONTFUT, symbol: ES, exchange: CME, build_futures_chain: true}
    - {secType: STK, symbol: AAPL, exchange: SMART, primaryExchange: NASDAQ,
       build_options_chain: true, min_expiry_days: 0, max_expiry_days: 20}
"""


def spec_text(port: int, cache: str = "  cache_validity_days: 1\n", extra: str = "") -> str:
    return (
        "version: 1\ntrader_id: CACHE-001\n"
        f"gateway: {{host: 127.0.0.1, port: {port}}}\n"
        f"{INSTRUMENTS}{cache}{extra}"
        "node: {timeouts: {disconnection: 3.0, post_stop: 0.5}}\n"
    )


def ibrun(*args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`ibrun ARGS` as a user runs it (its own process; XDG_CACHE_HOME is the session's)."""
    script = Path(sys.executable).parent / "ibrun"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "runner.cli.entry"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def spawn_ibrun(*args: str) -> subprocess.Popen[str]:
    script = Path(sys.executable).parent / "ibrun"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [str(script), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


async def connected_client(port: int, client_id: int, request_timeout: int = 60) -> Any:
    """A started nautilus InteractiveBrokersClient, ready for requests."""
    from nautilus_trader.adapters.interactive_brokers.client import InteractiveBrokersClient
    from nautilus_trader.cache.cache import Cache
    from nautilus_trader.common.component import LiveClock, MessageBus
    from nautilus_trader.model.identifiers import TraderId

    clock = LiveClock()
    client = InteractiveBrokersClient(
        loop=asyncio.get_running_loop(),
        msgbus=MessageBus(TraderId("CACHE-TEST"), clock),
        cache=Cache(),
        clock=clock,
        host="127.0.0.1",
        port=port,
        client_id=client_id,
        request_timeout_secs=request_timeout,
    )
    client.start()
    await client.wait_until_ready(20)
    return client


async def stop_client(client: Any) -> None:
    await asyncio.wait_for(client._stop_async(), 5)


class Recorder:
    """A `Say` that keeps what the provider and gate report."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warning(self, message: str) -> None:
        self.lines.append(f"warning: {message}")

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)


async def until(condition: Any, timeout: float, what: str) -> None:
    """Wait for a condition (polled), failing with ``what`` after ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}") from None
