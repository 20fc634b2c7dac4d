"""What a connection may cost the simulator before it is a client.

A TWS API client sends `API\\0`, its version range (about 10 bytes) and startApi (about 20 bytes)
at once. The limits are `SimConfig` fields (`ibrun sim --max-connections --handshake-max-bytes
--handshake-timeout`). Until a connection has sent startApi it may announce frames of at most
``handshake_max_bytes`` (a longer one is refused before it is buffered) and must get there within
``handshake_timeout_s``; at most ``max_connections`` API sockets are open at once (IB Gateway
serves 32 clients), more are closed as they are accepted. The stream reader buffers at most
2 x ``READER_LIMIT`` of unread input per connection, so before the handshake the simulator holds
at most ``max_connections`` x (2 x READER_LIMIT + handshake_max_bytes): 64 x 132 KiB ≈ 8.3 MiB with
the defaults. (A client past startApi may send frames up to the protocol's 16 MiB.)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

READER_LIMIT = 64 * 1024
"""asyncio's default; the reader stops reading the socket at twice this much unread input."""


@dataclass
class ConnectionGate:
    """The open API connections: admitted up to the cap, counted, and all cut at once when the
    gateway restarts."""

    limit: int
    refused: int = 0
    timed_out: int = 0
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    def admit(self, writer: asyncio.StreamWriter) -> bool:
        if len(self._open) >= self.limit:
            self.refused += 1
            return False
        self._open.add(writer)
        return True

    def release(self, writer: asyncio.StreamWriter) -> None:
        self._open.discard(writer)

    def abort_all(self) -> int:
        """Cut every connection (clients and half-open handshakes) as a dying gateway does."""
        writers, self._open = list(self._open), set()
        for writer in writers:
            transport = writer.transport
            if transport is not None:
                transport.abort()
        return len(writers)

    def report(self) -> dict[str, int]:
        return {"open": len(self._open), "limit": self.limit, "refused": self.refused, "timed_out": self.timed_out}
