"""A tiny stand-in TWS API server: the handshake only (server version, nextValidId, accounts).

Used by the unit tests of the probe and, when the test image is told IBRUN_TEST_SERVER=stub, as
the "IB Gateway" behind the image's port forwarder. Modes make it misbehave on purpose:
``ok`` answers the handshake, ``silent`` accepts and says nothing, ``close`` accepts and hangs
up, ``client-id-in-use`` answers the greeting and then sends IB error 326.
"""

from __future__ import annotations

import argparse
import signal
import socket
import struct
import sys
import threading
import time

SERVER_VERSION = 178


def frame(*fields: object) -> bytes:
    payload = "".join(f"{field}\0" for field in fields).encode()
    return struct.pack("!I", len(payload)) + payload


def recv_exactly(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return data


def recv_frame(conn: socket.socket) -> bytes:
    (size,) = struct.unpack("!I", recv_exactly(conn, 4))
    return recv_exactly(conn, size)


def serve_connection(conn: socket.socket, mode: str, accounts: str) -> None:
    try:
        answer_handshake(conn, mode, accounts)
    except (ConnectionError, OSError):
        pass  # a port check or a client that left: nothing to answer
    finally:
        conn.close()


def answer_handshake(conn: socket.socket, mode: str, accounts: str) -> None:
    if True:
        if mode == "close":
            return
        if recv_exactly(conn, 4) != b"API\0":
            return
        recv_frame(conn)  # "v100..200"
        if mode == "silent":
            time.sleep(60)
            return
        conn.sendall(frame(SERVER_VERSION, time.strftime("%Y%m%d %H:%M:%S UTC", time.gmtime())))
        recv_frame(conn)  # startApi
        if mode == "client-id-in-use":
            # Before v194 an error carries (version, reqId, code, message).
            conn.sendall(frame(4, 2, -1, 326, "Unable to connect as the client id is already in use."))
            return
        conn.sendall(frame(15, 1, accounts) + frame(9, 1, 1))
        conn.sendall(frame(4, 2, -1, 2104, "Market data farm connection is OK:usfarm"))
        try:  # hold the session open like TWS until the client leaves
            while conn.recv(4096):
                pass
        except OSError:
            pass


def serve(host: str, port: int, mode: str, accounts: str, ready: threading.Event | None = None) -> None:
    with socket.create_server((host, port), reuse_port=False) as server:
        if ready is not None:
            ready.set()
        print(f"STUB-TWS READY host={host} port={server.getsockname()[1]} mode={mode}", flush=True)
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve_connection, args=(conn, mode, accounts), daemon=True).start()


def start_in_thread(mode: str = "ok", accounts: str = "DU123456") -> int:
    """Serve on a free loopback port from a daemon thread (unit tests); return the port."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    ready = threading.Event()
    threading.Thread(target=serve, args=("127.0.0.1", port, mode, accounts, ready), daemon=True).start()
    ready.wait(5)
    return port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--account", default="DU123456")
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--read-only", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(args.host, args.port, args.mode, args.account)


if __name__ == "__main__":
    main()
