"""Shared by the instrument-cache tests: a spec against a running simulator, `ibrun` processes,
and nautilus IB clients in this process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from runner.model.instruments import Instruments
from runner.model.parse import parse_spec

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


class Lines:
    """The merged output of a spawned `ibrun`, line by line, waited on by content."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        import queue
        import threading

        self.process = process
        self.seen: list[str] = []
        self._ended = False
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float) -> str:
        import queue
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} within {timeout:g} s:\n{self.text()[-3000:]}") from None
            if line is None:
                self._ended = True
                raise AssertionError(f"ibrun ended without a line with {text!r}:\n{self.text()[-3000:]}")
            self.seen.append(line)
            if text in line:
                return line

    def finish(self, timeout: float) -> int:
        """Wait for the process to exit (reading the rest of its output); its exit code."""
        code = self.process.wait(timeout=timeout)
        while not self._ended:
            line = self._queue.get(timeout=5)
            if line is None:
                self._ended = True
            else:
                self.seen.append(line)
        return code

    def text(self) -> str:
        """Everything read so far (lines nobody waited for included)."""
        import queue

        while not self._ended:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self._ended = True
            else:
                self.seen.append(line)
        return "".join(self.seen)


def parse_instruments(fields: dict[str, Any]) -> Instruments:
    """An `instruments:` section as the spec parser builds it (nested contracts included)."""
    return parse_spec({"version": 1, "trader_id": "TEST-001", "instruments": fields}).instruments
