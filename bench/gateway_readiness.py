"""Time to API-ready: ibrun's handshake polling vs nautilus-style log polling, same image.

Both sides start the same test gateway image (tests/gateway/image: ibrun's simulator or a
handshake stub behind the gnzsnz-style port forwarder) on the same podman engine, and both
are timed from the same instant: just before the engine's `create` call. Runs are
interleaved and alternate which side goes first; figures are medians.

- ibrun: `start_docker_gateway` (create + start, then a handshake probe at once and every
  20..100 ms). Its own steps before `create` (secret resolution, engine ping, lookup of a
  reusable container, secret file) are reported separately as "pre-create".
- log polling: nautilus' DockerizedIBGateway loop (create + start like `containers.run`,
  then every 1 s grep `container.logs()` for its login markers), then the client connects
  the way nautilus' InteractiveBrokersClient does: one attempt, and after a failed one its
  reconnect delay (`5 s * 2**(attempt-2)`, jitter left out in log polling's favour).
  "Ready" is the first successful handshake, so both sides end at a usable API.

`--api-delay S` selects the realistic variant: like the real image, IBC logs "Login has
completed" S seconds before the API listens, while the forwarder already accepts and drops
connections. The default (0) logs the login once the API listens: log polling's best case.

Rerun (needs podman: `sudo bash .ci/engine-setup.sh`; starts and stops its own service):

    uv run python bench/gateway_readiness.py --runs 7 --server stub
    uv run python bench/gateway_readiness.py --runs 7 --server sim
    uv run python bench/gateway_readiness.py --runs 7 --server stub --api-delay 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner.errors import IbrunError  # noqa: E402
from runner.gateway.container import free_loopback_port  # noqa: E402
from runner.gateway.manager import start_docker_gateway, stop_docker_gateway  # noqa: E402
from runner.gateway.probe import probe_gateway  # noqa: E402
from runner.validation.pipeline import load_spec  # noqa: E402
from tests.gateway.engine_fixture import PodmanService  # noqa: E402
from tests.gateway.image.build import ensure_test_image  # noqa: E402

LOG_MARKERS = ("Login has completed", "Configuration tasks completed", "Logged in to", "Login successful")
NAUTILUS_RECONNECT_DELAY = 5.0  # InteractiveBrokersClient._reconnect_delay (+ 0..3 s jitter)
CREATE_CALLS: list[float] = []  # when each `create` request went out, whoever sent it


def _time_create_calls() -> None:
    """Record the instant of every engine `create` (ibrun's and log polling's alike)."""
    from docker.api.container import ContainerApiMixin

    create_container = ContainerApiMixin.create_container

    def timed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        CREATE_CALLS.append(time.monotonic())
        return create_container(self, *args, **kwargs)

    ContainerApiMixin.create_container = timed


def ibrun_run(spec_path: Path) -> dict[str, float]:
    loaded = load_spec(spec_path)
    started = time.monotonic()
    handle = start_docker_gateway(loaded, progress=False)
    ended = time.monotonic()
    try:
        create = CREATE_CALLS[-1] - started
        row = {"ready": ended - started - create, "pre-create": create, "total": ended - started}
        for step, began, seconds in getattr(handle, "steps", []):
            if step in ("create", "start", "wait-ready"):
                row[step] = seconds
            if step == "port-accepts":
                row["port-accepts"] = began - create
        for key, value in getattr(handle, "counts", {}).items():
            row[key] = value
        return row
    finally:
        stop_docker_gateway(handle, force=True)


def log_polling_run(client, image: str, knobs: dict[str, str]) -> dict[str, float]:
    port = free_loopback_port()
    started = time.monotonic()  # the `create` request goes out right after this
    # What `containers.run(detach=True)` does, split to time each call.
    container = client.containers.create(
        image,
        name="ibrun-bench-logpoll",
        detach=True,
        ports={"4004/tcp": ("127.0.0.1", port)},
        environment={"TWS_USERID": "bench", "TWS_PASSWORD": "bench", "TRADING_MODE": "paper", **knobs},
        labels={"ibrun.managed": "bench"},
    )
    row = {"create": time.monotonic() - started}
    try:
        before_start = time.monotonic()
        container.start()
        row["start"] = time.monotonic() - before_start
        for _ in range(120):  # nautilus: `for _ in range(timeout): if is_logged_in: break; sleep(1)`
            logs = container.logs().decode("utf-8", errors="replace")
            if any(marker in logs for marker in LOG_MARKERS):
                break
            time.sleep(1)
        row["marker"] = time.monotonic() - started
        attempt = 1
        while True:  # nautilus' client: connect; after a failure wait its reconnect delay
            try:
                probe_gateway("127.0.0.1", port, timeout=10)
                break
            except IbrunError:
                attempt += 1
                if attempt > 6:
                    raise
                time.sleep(NAUTILUS_RECONNECT_DELAY * 2 ** (attempt - 2))
        row["ready"] = time.monotonic() - started
        row["connect-attempts"] = attempt
        return row
    finally:
        container.remove(force=True)


def write_spec(directory: Path, image: str, knobs: dict[str, str]) -> Path:
    path = directory / "bench-gateway.yaml"
    env = ", ".join(f"{key}: '{value}'" for key, value in knobs.items())
    path.write_text(
        "version: 1\ngateway:\n  docker:\n"
        f"    image: {image}\n    timeout: 120\n"
        "    username: {env: BENCH_TWS_USERNAME}\n    password: {env: BENCH_TWS_PASSWORD}\n"
        f"    env: {{{env}}}\n"
    )
    os.environ.update(BENCH_TWS_USERNAME="bench", BENCH_TWS_PASSWORD="bench")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--server", choices=["sim", "stub"], default="stub", help="API server in the container: ibrun's sim, or a stub"
    )
    parser.add_argument(
        "--login-delay", type=float, default=0.0, help="seconds the image waits before 'login' (IBRUN_TEST_LOGIN_DELAY)"
    )
    parser.add_argument(
        "--api-delay",
        type=float,
        default=0.0,
        help="realistic variant: seconds between the logged login and the API listening (IBRUN_TEST_API_DELAY)",
    )
    args = parser.parse_args()
    knobs = {
        "IBRUN_TEST_SERVER": args.server,
        "IBRUN_TEST_LOGIN_DELAY": str(args.login_delay),
        "IBRUN_TEST_API_DELAY": str(args.api_delay),
    }
    _time_create_calls()
    service = PodmanService()
    service.start()
    try:
        import docker

        client = docker.DockerClient(base_url=service.url, timeout=60)
        image = ensure_test_image(client)
        spec_path = write_spec(Path(tempfile.mkdtemp()), image, knobs)
        ibrun_run(spec_path)  # warm-up (imports, page cache), not counted
        ibrun_rows, log_rows = [], []
        for run in range(args.runs):  # interleaved; alternate who goes first
            if run % 2 == 0:
                ibrun_rows.append(ibrun_run(spec_path))
                log_rows.append(log_polling_run(client, image, knobs))
            else:
                log_rows.append(log_polling_run(client, image, knobs))
                ibrun_rows.append(ibrun_run(spec_path))
            print(f"  run {run + 1}: ibrun {ibrun_rows[-1]['ready']:.2f}s, log polling {log_rows[-1]['ready']:.2f}s")
        print(
            f"server in container: {args.server}, login delay {args.login_delay:g}s, "
            f"API {args.api_delay:g}s after the logged login"
        )
        report(ibrun_rows, log_rows)
    finally:
        service.stop()


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    columns: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for key, value in row.items():
            columns[key].append(value)
    return {key: statistics.median(values) for key, values in columns.items()}


def report(ibrun_rows: list[dict[str, float]], log_rows: list[dict[str, float]]) -> None:
    ib, lp = medians(ibrun_rows), medians(log_rows)

    def runs(rows: list[dict[str, float]]) -> str:
        return ", ".join(f"{row['ready']:.2f}" for row in rows)

    print(f"runs: {len(ibrun_rows)} each (interleaved), from just before `create`, medians")
    print(f"ibrun handshake polling: {ib['ready']:.2f}s  [{runs(ibrun_rows)}]")
    print(f"log polling (1 s):       {lp['ready']:.2f}s  [{runs(log_rows)}]")
    print(f"ratio ibrun / log polling: {ib['ready'] / lp['ready']:.2f}")
    print("ibrun steps (median s): " + ", ".join(f"{key} {value:.3f}" for key, value in ib.items()))
    print("log-polling steps (median s): " + ", ".join(f"{key} {value:.3f}" for key, value in lp.items()))


if __name__ == "__main__":
    main()
