"""The TWS handshake probe against a stand-in server (no engine needed)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from runner.errors import ClientIdInUse, GatewayUnreachable, HandshakeTimeout
from runner.gateway.probe import HandshakeFailed, probe_gateway
from tests.gateway.image import stub_tws


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_handshake_returns_server_version_and_accounts() -> None:
    port = stub_tws.start_in_thread("ok", accounts="DU111,DU222")
    result = probe_gateway("127.0.0.1", port, client_id=7, timeout=5)
    assert result.server_version == stub_tws.SERVER_VERSION
    assert result.managed_accounts == ("DU111", "DU222")
    assert result.next_valid_id == 1
    assert 0 < result.elapsed < 5


def test_refused_names_host_port_and_default_ports() -> None:
    port = free_port()
    with pytest.raises(GatewayUnreachable) as caught:
        probe_gateway("127.0.0.1", port, timeout=2)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "7497" in message and "4002" in message and "API enabled" in message


def test_silent_server_times_out() -> None:
    port = stub_tws.start_in_thread("silent")
    with pytest.raises(HandshakeTimeout, match="sent no server version"):
        probe_gateway("127.0.0.1", port, timeout=0.5)


def test_server_hanging_up_is_a_failed_handshake() -> None:
    # What a gnzsnz container's socat forwarder does before IB Gateway is logged in.
    port = stub_tws.start_in_thread("close")
    with pytest.raises(HandshakeFailed, match=r"closed|reset"):
        probe_gateway("127.0.0.1", port, timeout=2)


def test_error_326_is_client_id_in_use() -> None:
    port = stub_tws.start_in_thread("client-id-in-use")
    with pytest.raises(ClientIdInUse, match="client id 5"):
        probe_gateway("127.0.0.1", port, client_id=5, timeout=2)


def test_probe_does_not_import_nautilus() -> None:
    code = "import sys, runner.gateway.probe; print(any(m.startswith('nautilus_trader') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
