"""A TWS API handshake probe: is a real API (not just an open socket) answering at host:port?

The probe speaks the wire protocol itself (length-prefixed, NUL-separated fields) rather than
importing nautilus or ibapi's client: it must be fast enough to poll many times a second and
usable as a preflight check before a TradingNode is built. Sequence:

1. raw ``API\\0`` + framed ``v100..200`` (200 is the highest fully text-based server version);
2. the server answers ``<serverVersion>\\0<connection time>\\0``;
3. startApi (msg 71) with our client id;
4. the server sends nextValidId (9) and managedAccounts (15); an error 326 means the client id
   is already connected.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass

from runner.errors import ClientIdInUse, GatewayUnreachable, HandshakeTimeout

MIN_VERSION = 100
# >= 201 switches message ids to raw ints and payloads to protobuf; the probe stays textual.
MAX_VERSION = 200
MIN_SERVER_VER_OPTIONAL_CAPABILITIES = 72
MIN_SERVER_VER_ERROR_TIME = 194

MSG_ERROR = 4
MSG_NEXT_VALID_ID = 9
MSG_MANAGED_ACCOUNTS = 15
MSG_START_API = 71
ERROR_CLIENT_ID_IN_USE = 326

UNREACHABLE_HINT = (
    "is TWS/Gateway running with the API enabled? default ports: TWS 7497 paper/7496 live, Gateway 4002/4001"
)


class HandshakeFailed(HandshakeTimeout):
    """The socket was accepted but closed (or answered nonsense) before the handshake finished.

    A docker gateway whose port forwarder is up before IB Gateway has logged in does exactly
    this, so readiness polling treats it as "not yet"."""


@dataclass(frozen=True, slots=True)
class ProbeResult:
    server_version: int
    managed_accounts: tuple[str, ...]
    elapsed: float
    """Seconds from connect to managedAccounts."""
    connection_time: str = ""
    next_valid_id: int | None = None


def probe_gateway(host: str, port: int, *, client_id: int = 0, timeout: float = 5.0) -> ProbeResult:
    """Do a full TWS API handshake at host:port and disconnect; raise on any failure."""
    started = time.monotonic()
    deadline = started + timeout
    where = f"{host}:{port}"
    sock = _connect(host, port, timeout)
    try:
        sock.sendall(b"API\0" + _frame(f"v{MIN_VERSION}..{MAX_VERSION}".encode()))
        greeting = _read_fields(sock, deadline, where, "server version")
        server_version = _parse_server_version(greeting, where)
        sock.sendall(_frame(_start_api_payload(client_id, server_version)))
        accounts, next_id = _await_start_api_replies(sock, deadline, where, server_version, client_id)
    finally:
        sock.close()
    return ProbeResult(
        server_version=server_version,
        managed_accounts=accounts,
        elapsed=time.monotonic() - started,
        connection_time=greeting[1] if len(greeting) > 1 else "",
        next_valid_id=next_id,
    )


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError as error:
        raise GatewayUnreachable(f"connection refused at {host}:{port}: {UNREACHABLE_HINT}") from error
    except TimeoutError as error:
        raise GatewayUnreachable(
            f"no answer from {host}:{port} within {timeout:g}s (firewall or wrong host?): {UNREACHABLE_HINT}"
        ) from error
    except OSError as error:
        raise GatewayUnreachable(f"cannot connect to {host}:{port}: {error}: {UNREACHABLE_HINT}") from error


def _frame(payload: bytes) -> bytes:
    return struct.pack("!I", len(payload)) + payload


def _start_api_payload(client_id: int, server_version: int) -> bytes:
    fields = [str(MSG_START_API), "2", str(client_id)]
    if server_version >= MIN_SERVER_VER_OPTIONAL_CAPABILITIES:
        fields.append("")  # optional capabilities: none
    return "".join(f"{field}\0" for field in fields).encode()


def _parse_server_version(fields: list[str], where: str) -> int:
    try:
        version = int(fields[0])
    except (IndexError, ValueError) as error:
        raise HandshakeFailed(f"{where} answered the API handshake with {fields[:2]!r}") from error
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise HandshakeFailed(f"{where} chose server version {version}, outside v{MIN_VERSION}..{MAX_VERSION}")
    return version


def _await_start_api_replies(
    sock: socket.socket, deadline: float, where: str, server_version: int, client_id: int
) -> tuple[tuple[str, ...], int | None]:
    """Read messages until both nextValidId and managedAccounts arrived (order not fixed)."""
    accounts: tuple[str, ...] | None = None
    next_id: int | None = None
    while accounts is None or next_id is None:
        fields = _read_fields(sock, deadline, where, "nextValidId/managedAccounts")
        msg_id = int(fields[0]) if fields and fields[0].isdigit() else -1
        if msg_id == MSG_NEXT_VALID_ID and len(fields) >= 3:
            next_id = int(fields[2])
        elif msg_id == MSG_MANAGED_ACCOUNTS and len(fields) >= 3:
            accounts = tuple(acct for acct in fields[2].split(",") if acct)
        elif msg_id == MSG_ERROR:
            _raise_on_fatal_error(fields, server_version, where, client_id)
    return accounts, next_id


def _raise_on_fatal_error(fields: list[str], server_version: int, where: str, client_id: int) -> None:
    # Before v194 the error message carries a version field after the message id.
    body = fields[1:] if server_version >= MIN_SERVER_VER_ERROR_TIME else fields[2:]
    code = int(body[1]) if len(body) > 1 and body[1].lstrip("-").isdigit() else 0
    text = body[2] if len(body) > 2 else ""
    if code == ERROR_CLIENT_ID_IN_USE:
        raise ClientIdInUse(
            f"IB error 326 at {where}: client id {client_id} is already connected ({text}); "
            "pick another client id or disconnect the other session"
        )
    # Farm-status notices (2104, 2106, 2158, ...) are informational: keep waiting.


def _read_fields(sock: socket.socket, deadline: float, where: str, waiting_for: str) -> list[str]:
    size = struct.unpack("!I", _read_exactly(sock, 4, deadline, where, waiting_for))[0]
    payload = _read_exactly(sock, size, deadline, where, waiting_for).decode("latin-1")
    # Every field is NUL-terminated, so the split leaves one empty string at the end.
    return payload.split("\0")[:-1] if payload.endswith("\0") else payload.split("\0")


def _read_exactly(sock: socket.socket, count: int, deadline: float, where: str, waiting_for: str) -> bytes:
    chunks = bytearray()
    while len(chunks) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise HandshakeTimeout(f"{where} accepted the connection but sent no {waiting_for} in time")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(count - len(chunks))
        except TimeoutError as error:
            raise HandshakeTimeout(f"{where} accepted the connection but sent no {waiting_for} in time") from error
        except OSError as error:
            raise HandshakeFailed(f"{where} reset the connection while waiting for {waiting_for}: {error}") from error
        if not chunk:
            raise HandshakeFailed(f"{where} closed the connection while waiting for {waiting_for}")
        chunks += chunk
    return bytes(chunks)
