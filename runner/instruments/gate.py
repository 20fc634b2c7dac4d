"""The way out for an instrument provider's requests: paced, retried, and answered promptly.

nautilus' provider sends its contract-details and option-chain requests through
``InteractiveBrokersClient``. ibrun's provider sees the client through :class:`GatedClient`, so
every such request goes through one :class:`Gate`:

- paced: at most `REQUESTS_PER_SECOND` sent in any second (IB closes connections that exceed
  its message rate) and `IN_FLIGHT` outstanding at once (nautilus' client slows down badly on
  large unread backlogs);
- held while the client is not connected or IB reports the sec-def farm broken (2157, until
  2158), and retried with backoff after a timeout, a dropped connection or an IB error — IB's
  restart window — until the load's deadline, then :class:`InstrumentsUnavailable`;
- answered at once on IB error 200 (no security definition): nautilus 1.231 leaves such a
  request to run into its timeout (60 s by default).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from runner.errors import InstrumentsUnavailable
from runner.ib.pacing import MESSAGES_PER_SECOND

REQUESTS_PER_SECOND = int(MESSAGES_PER_SECOND * 0.8)
"""Headroom under IB's limit for the client's other messages on the same connection."""
IN_FLIGHT = 6
"""Outstanding requests at once. nautilus' client formats its whole unread receive buffer for
every message it takes from it, so replies arriving together cost quadratic time: with 16 SPX
expiries in flight a cold load stalled for 3-4 s in 4 of 6 runs; with 6 or 8, in none."""
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 15.0
DEFAULT_BUDGET_SECONDS = 120.0
"""How long requests outside a startup load keep retrying."""
NO_SECURITY_DEFINITION = 200
SECDEF_FARM_BROKEN, SECDEF_FARM_OK = 2157, 2158


class GatewayRequestError(Exception):
    """IB answered one of the gate's requests with an error (not 200): retried."""


class Say(Protocol):
    """Where the gate reports (nautilus' logger in a node, stderr in the CLI)."""

    def info(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...


@dataclass
class GateStats:
    sent: int = 0
    retried: int = 0


class Gate:
    """Paces and retries one IB client's instrument requests (see the module doc)."""

    def __init__(self, client: Any, say: Say, budget: float = DEFAULT_BUDGET_SECONDS) -> None:
        self._client = client
        self.say = say
        self.budget = budget
        self.deadline: float | None = None
        """Monotonic time the current load gives up (None: each request gets `budget`)."""
        self.stats = GateStats()
        self._sent_at: collections.deque[float] = collections.deque()
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        self._secdef_ok = asyncio.Event()
        self._secdef_ok.set()
        self._pending: collections.Counter[str] = collections.Counter()
        self._failing_since: float | None = None
        self._tap(client)

    @property
    def held(self) -> bool:
        """Requests are waiting for the gateway (disconnected, or sec-def farm broken)."""
        return not self._client.is_ready or not self._secdef_ok.is_set()

    def begin(self, budget: float | None = None) -> None:
        """Start a load that gives up ``budget`` seconds from now."""
        self.deadline = time.monotonic() + (self.budget if budget is None else budget)
        self.stats = GateStats()

    def end(self) -> None:
        self.deadline = None

    async def call[T](self, send: Callable[[], Awaitable[T]], name: str, *, none_is_failure: bool = False) -> T:
        """``send()`` (a client request named ``name``), paced and retried until the deadline."""
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.budget
        attempt = 0
        while True:
            await self._until_usable(deadline, name)
            async with self._slots:
                await self._pace()
                self.stats.sent += 1
                self._pending[name] += 1
                try:
                    result = await send()
                    if result is None and none_is_failure:
                        raise GatewayRequestError("no answer (request timed out)")
                    self._recovered()
                    return result
                except (TimeoutError, ConnectionError, GatewayRequestError) as error:
                    failure: Exception = error
                finally:
                    self._pending[name] -= 1
            attempt += 1
            wait = min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), LONGEST_RETRY_SECONDS)
            if time.monotonic() + wait >= deadline:
                raise self._gave_up(name, failure, attempt)
            self._failed(name, failure, wait)
            await asyncio.sleep(wait)

    async def _pace(self) -> None:
        while True:
            now = time.monotonic()
            while self._sent_at and now - self._sent_at[0] >= 1.0:
                self._sent_at.popleft()
            if len(self._sent_at) < REQUESTS_PER_SECOND:
                self._sent_at.append(now)
                return
            await asyncio.sleep(1.0 - (now - self._sent_at[0]))

    async def _until_usable(self, deadline: float, name: str) -> None:
        if not self.held:
            return
        why = "sec-def farm broken (2157)" if self._client.is_ready else "not connected"
        self._notice(f"instrument requests wait for the gateway: {why}")
        remaining = max(0.0, deadline - time.monotonic())
        try:
            async with asyncio.timeout(remaining):
                while self.held:
                    if not self._client.is_ready:
                        await self._client.wait_until_ready(int(remaining) + 1)
                    await self._secdef_ok.wait()
        except TimeoutError:
            raise self._gave_up(name, TimeoutError(f"gateway {why}"), 0) from None

    def _notice(self, message: str) -> None:
        if self._failing_since is None:
            self._failing_since = time.monotonic()
            self.say.warning(message)

    def _failed(self, name: str, failure: Exception, wait: float) -> None:
        self.stats.retried += 1
        self._notice(f"instrument request failed ({_describe(failure)}): retrying with backoff (next in {wait:g} s)")

    def _recovered(self) -> None:
        if self._failing_since is not None:
            outage = time.monotonic() - self._failing_since
            self._failing_since = None
            self.say.warning(f"instrument requests answered again after {outage:.1f} s")

    def _gave_up(self, name: str, failure: Exception, attempts: int) -> InstrumentsUnavailable:
        host, port = getattr(self._client, "_host", "?"), getattr(self._client, "_port", "?")
        return InstrumentsUnavailable(
            f"instruments could not be loaded from {host}:{port}: {name} failed ({_describe(failure)})"
            f" after {attempts + 1} attempt(s) within the {self.budget:.0f} s retry budget; the gateway may be"
            " in IB's restart window (or raise node.timeouts.connection to wait longer)"
        )

    # --- IB errors ---------------------------------------------------------------------------

    def _tap(self, client: Any) -> None:
        """Look at the client's errors before nautilus does (its wrapper looks `process_error` up
        per message, so an instance attribute wins); one tap per client, for its current gate."""
        client._ibrun_gate = self
        if getattr(client, "_ibrun_gate_tapped", False):
            return
        original = client.process_error

        async def process_error(**kwargs: Any) -> None:
            client._ibrun_gate.on_error(kwargs.get("req_id", -1), kwargs.get("error_code", 0), kwargs)
            await original(**kwargs)

        client.process_error = process_error
        client._ibrun_gate_tapped = True

    def on_error(self, req_id: int, code: int, message: dict[str, Any]) -> None:
        if req_id == -1:
            if code == SECDEF_FARM_BROKEN:
                self._secdef_ok.clear()
            elif code == SECDEF_FARM_OK:
                self._secdef_ok.set()
            return
        request = self._client._requests.get(req_id=req_id)
        if request is None or not self._pending[str(request.name)] or request.future.done():
            return
        if code == NO_SECURITY_DEFINITION:
            request.future.set_result([])  # "not found" now, as nautilus' provider expects
        elif not (code in self._client.WARNING_CODES or 2100 <= code < 2200):
            request.future.set_exception(GatewayRequestError(f"IB error {code}: {message.get('error_string', '')}"))


class GatedClient:
    """An IB client whose contract-details and option-chain requests go through a gate; every
    other attribute is the client's own (the provider reads `_cache`, for one)."""

    def __init__(self, client: Any, gate: Gate) -> None:
        self._ib = client
        self.gate = gate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ib, name)

    async def get_contract_details(self, contract: Any) -> Any:
        # the names are nautilus' request names: the gate finds its requests by them
        return await self.gate.call(lambda: self._ib.get_contract_details(contract), str(contract))

    async def get_option_chains(self, underlying: Any) -> Any:
        # nautilus answers a timed-out option-chain request with None (contract details raise)
        name = f"OptionChains-{underlying!s}"
        return await self.gate.call(lambda: self._ib.get_option_chains(underlying), name, none_is_failure=True)


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
