"""The loopback HTTP server: `/healthz`, `/readyz`, `/metrics` (a thread; it only reads snapshots).

- `/healthz`: 200 while the process and its event loop are alive (the loop took a snapshot within
  ``LOOP_DEADLINE`` seconds), else 503.
- `/readyz`: 200 when ready, else 503; a JSON body either way, with the reasons when not ready.
- `/metrics`: Prometheus' text format.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.exposition import choose_encoder

from runner.monitoring.metrics import registry_for
from runner.monitoring.snapshot import Snapshot, to_json

LOOP_DEADLINE = 5.0


class MonitorServer:
    def __init__(self, host: str, port: int, latest: Callable[[], Snapshot]) -> None:
        registry = registry_for(latest)
        handler = type("Handler", (_Handler,), {"latest": staticmethod(latest), "registry": registry})
        server_class = _Ipv6Server if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, port), handler)  # OSError: address in use, ...
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name="ibrun-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


class _Ipv6Server(ThreadingHTTPServer):
    """For an IPv6 address such as `::1` (the standard server binds IPv4 only)."""

    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    latest: Callable[[], Snapshot]
    registry: Any
    server_version = "ibrun"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._healthz()
        elif path == "/readyz":
            body = to_json(self.latest())
            self._send(200 if body["ready"] else 503, json.dumps(body, indent=1).encode(), "application/json")
        elif path == "/metrics":
            encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
            self._send(200, encoder(self.registry), content_type)
        else:
            self._send(404, b'{"error": "not found: try /healthz, /readyz or /metrics"}\n', "application/json")

    def _healthz(self) -> None:
        lag = time.monotonic() - self.latest().taken_at
        alive = lag <= LOOP_DEADLINE
        body = {"alive": alive, "event_loop_lag_seconds": round(lag, 3)}
        self._send(200 if alive else 503, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is not news for the node's console
