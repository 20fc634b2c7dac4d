"""Entrypoint of ibrun's test gateway image: the gnzsnz/ib-gateway contract, ibrun's sim inside.

Honours the same environment and ports as ghcr.io/gnzsnz/ib-gateway:
TWS_USERID, TWS_PASSWORD / TWS_PASSWORD_FILE, TRADING_MODE (paper|live), READ_ONLY_API,
TWOFA_TIMEOUT_ACTION; the API listens inside on 4002 (paper) / 4001 (live) and a socat-like
forwarder publishes it on 4004 / 4003 from the first second, so, as with the real image, the
published port accepts connections (and drops them) before "login" has completed.

Test knobs (never set by ibrun itself, only by specs/tests through `gateway.docker.env`):
IBRUN_TEST_LOGIN=ok|fail|hang, IBRUN_TEST_LOGIN_DELAY=<seconds>,
IBRUN_TEST_EXPECTED_SHA256=<hex> (login fails unless sha256(password) matches),
IBRUN_TEST_SERVER=sim|stub (the API server behind the forwarder),
IBRUN_TEST_ACCOUNT=<id> (the managed account the API announces; default as a real login does:
U1234567 for TRADING_MODE=live, DU123456 for paper),
IBRUN_TEST_API_DELAY=<seconds> (like the real image: IBC logs "Login has completed" this long
before the API server starts listening; meanwhile the forwarder accepts and drops connections.
Default 0: the login is logged once the API listens, the best case for log polling).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time

PORTS = {"paper": (4002, 4004), "live": (4001, 4003)}  # (API_PORT, SOCAT_PORT)
child: subprocess.Popen[bytes] | None = None


def log(line: str) -> None:
    print(line, flush=True)


def read_secret(name: str) -> str | None:
    """The image's file_env: NAME_FILE (a mounted file) wins over NAME."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\n")
    return os.environ.get(name)


def on_sigterm(signum: int, _frame: object) -> None:
    log(".> Received SIGINT or SIGTERM. Shutting down IB Gateway.")
    if child is None or child.poll() is not None:
        log(".> Done... 0")
        os._exit(0)
    # main() is blocked in child.wait(), which holds Popen's wait lock: waiting here again would
    # stall until a timeout. Signal the child and let main() see it exit; kill it if it lingers.
    child.terminate()
    killer = threading.Timer(5, child.kill)
    killer.daemon = True  # must not keep the entrypoint alive once the child is gone
    killer.start()


def pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def forward(listen_port: int, target_port: int) -> None:
    """socat TCP-LISTEN:<listen>,fork TCP:127.0.0.1:<target>: accept, then connect or hang up."""
    server = socket.create_server(("0.0.0.0", listen_port))
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=2)
        except OSError:
            client.close()
            continue
        upstream.settimeout(None)
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def start_api_server(api_port: int, read_only: bool, mode: str) -> subprocess.Popen[bytes]:
    server = os.environ.get("IBRUN_TEST_SERVER", "sim")
    account = os.environ.get("IBRUN_TEST_ACCOUNT") or ("U1234567" if mode == "live" else "DU123456")
    if server == "stub":
        command = [sys.executable, "/app/image/stub_tws.py", "--port", str(api_port), "--account", account]
    else:
        command = [sys.executable, "-m", "runner.sim", "--host", "127.0.0.1"]
        command += ["--port", str(api_port), "--account", account]
    if read_only:
        command.append("--read-only")
    return subprocess.Popen(command)


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    while process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def login_failure(user: str | None, password: str | None) -> str | None:
    expected = os.environ.get("IBRUN_TEST_EXPECTED_SHA256")
    if os.environ.get("IBRUN_TEST_LOGIN") == "fail":
        return "IBC: Login failed (told to fail by IBRUN_TEST_LOGIN)"
    if not user or not password:
        return "IBC: Login failed: no user name or password"
    if expected is not None and hashlib.sha256(password.encode()).hexdigest() != expected:
        return "IBC: Login failed: invalid user name or password"
    return None


def main() -> None:
    global child
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)
    log("*" * 73)
    log(".> Starting IBC/IB gateway")
    log("*" * 73)
    mode = os.environ.get("TRADING_MODE", "paper")
    if mode not in PORTS:
        log(f".> Invalid TRADING_MODE: {mode}")
        sys.exit(1)
    api_port, socat_port = PORTS[mode]
    log(f".> API_PORT set to: {api_port}")
    log(f".> SOCAT_PORT set to: {socat_port}")
    threading.Thread(target=forward, args=(socat_port, api_port), daemon=True).start()
    log(f".> Starting IBC in {mode} mode, with params:")
    log(f".>\t\ton2fatimeout: {os.environ.get('TWOFA_TIMEOUT_ACTION', 'exit')}")
    time.sleep(float(os.environ.get("IBRUN_TEST_LOGIN_DELAY", "0")))
    failure = login_failure(os.environ.get("TWS_USERID"), read_secret("TWS_PASSWORD"))
    if failure:
        log(failure)
        sys.exit(1)
    if os.environ.get("IBRUN_TEST_LOGIN") == "hang":
        log("IBC: Second Factor Authentication initiated")
        signal.pause()
    api_delay = float(os.environ.get("IBRUN_TEST_API_DELAY", "0"))
    if api_delay > 0:
        log("IBC: Login has completed")
        time.sleep(api_delay)
    child = start_api_server(api_port, os.environ.get("READ_ONLY_API", "yes") == "yes", mode)
    if not wait_listening(api_port, child):
        log(f"IBC: API server exited with {child.returncode}")
        sys.exit(1)
    if api_delay <= 0:
        log("IBC: Login has completed")
    log("IBC: Configuration tasks completed")
    returncode = child.wait()
    log(f".> Done... {returncode}")
    sys.exit(0 if returncode in (0, -signal.SIGTERM) else returncode)


if __name__ == "__main__":
    main()
