"""Handshake and session rules over real TCP: version negotiation, refusal, error 326."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time

import pytest

from runner.errors import ExitCode
from runner.sim.protocol import wire


def _connect(port: int, hello: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    payload = hello.encode()
    sock.sendall(b"API\0" + struct.pack(">I", len(payload)) + payload)
    return sock


def _read_message(sock: socket.socket) -> list[str]:
    header = _recv_exact(sock, 4)
    (size,) = struct.unpack(">I", header)
    return wire.split_fields(_recv_exact(sock, size))


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _start_api(sock: socket.socket, client_id: int) -> None:
    sock.sendall(wire.frame([71, 2, client_id, ""]))


@pytest.mark.parametrize(
    ("hello", "expected"),
    [
        ("v157..178", 178),
        ("v100..223", 200),
        ("v100..223 +PACEAPI", 200),
        ("v176", 176),
    ],
)
def test_negotiates_highest_common_version(sim, hello, expected):
    with _connect(sim.port, hello) as sock:
        version, connection_time = _read_message(sock)
        assert int(version) == expected
        assert connection_time.endswith("UTC") and len(connection_time) > 17


@pytest.mark.parametrize("hello", ["v201..223", "v100..150", "garbage"])
def test_refuses_ranges_it_cannot_serve(sim, hello):
    with _connect(sim.port, hello) as sock, pytest.raises(ConnectionError):
        _read_message(sock)


def test_start_api_then_duplicate_client_id_gets_326(sim):
    with _connect(sim.port, "v157..178") as first:
        _read_message(first)
        _start_api(first, 55)
        messages = [_read_message(first) for _ in range(2)]
        assert messages[0][0] == "9" and messages[1] == ["15", "1", "DU123456"]
        with _connect(sim.port, "v100..223") as second:
            _read_message(second)
            _start_api(second, 55)
            error = _read_message(second)
            assert error[0] == "4" and error[2] == "326"
            with pytest.raises(ConnectionError):
                _read_message(second)
        with _connect(sim.port, "v100..223") as third:  # a distinct id is fine
            _read_message(third)
            _start_api(third, 56)
            assert _read_message(third)[0] == "9"


def test_client_id_is_free_again_after_disconnect(sim, control):
    for _ in range(2):
        with _connect(sim.port, "v100..223") as sock:
            _read_message(sock)
            _start_api(sock, 77)
            assert _read_message(sock)[0] == "9"
            assert 77 in _connected_ids(control)
        _wait_until(lambda: 77 not in _connected_ids(control))  # the server noticed the close


def test_client_id_is_free_at_once_while_its_requests_wait_out_a_delay(sim, control):
    """A client that leaves with requests outstanding (IB's restart window, a killed node):
    IB frees its client id at once; the reconnect must not get 326 until the replies are due."""
    control.call("delay", ms=60_000)
    try:
        with _connect(sim.port, "v100..223") as sock:
            _read_message(sock)
            _start_api(sock, 78)
            assert _read_message(sock)[0] == "9"
            before = control.call("requests")["counts"].get("61", 0)
            sock.sendall(wire.frame([61, 1]))  # reqPositions, answered in a minute
            _wait_until(lambda: control.call("requests")["counts"].get("61", 0) > before)
        _wait_until(lambda: 78 not in _connected_ids(control))
        with _connect(sim.port, "v100..223") as again:
            _read_message(again)
            _start_api(again, 78)
            assert _read_message(again)[0] == "9"  # nextValidId, not error 326
    finally:
        control.call("delay", ms=0)


def _connected_ids(control) -> set[int]:
    return {session["client_id"] for session in control.status()["sessions"]}


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_failed_start_raises_with_stderr_tail(sim):
    import dataclasses

    from sim_settings import sim_config

    from runner.sim.launcher import SimulatorStartError, start_simulator

    busy = dataclasses.replace(sim_config(), port=sim.port, control_port=None)
    with pytest.raises(SimulatorStartError, match="cannot listen") as raised:
        start_simulator(busy, startup_timeout=20)
    assert raised.value.exit_code == ExitCode.GATEWAY_START_FAILED  # printed by the CLI's one printer


def test_bad_universe_file_is_a_usage_error_without_traceback(tmp_path):
    universe = tmp_path / "universe.yaml"
    universe.write_text("instruments: [{symbol: X}]\n")
    result = subprocess.run(
        [sys.executable, "-m", "runner.sim", "--port", "0", "--universe", str(universe)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == "error: ibrun sim: invalid universe file: missing field 'secType'\n"


def test_sim_process_stops_on_sigterm():
    from sim_settings import sim_config

    from runner.sim.launcher import start_simulator

    process = start_simulator(sim_config(), startup_timeout=20)
    assert process.alive()
    assert process.stop(timeout=5) == 0
    assert not process.alive()
