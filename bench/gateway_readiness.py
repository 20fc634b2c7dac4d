"""Time from container start to API-ready: ibrun's handshake polling vs log polling.

Both sides start the same test gateway image (tests/gateway/image, ibrun's simulator behind
the gnzsnz-style port forwarder) on the same podman engine:
- ibrun: `start_docker_gateway` (create + handshake probe with backoff from 50 ms);
- log polling: nautilus' DockerizedIBGateway approach: `containers.run`, then every 1 s grep
  `container.logs()` for "Login has completed"/"Configuration tasks completed" (its loop, not
  its class: the class sets restart=always and TWS_PASSWORD in the env, and hard-codes
  names/ports). Ready is then confirmed by a handshake so both end at a usable API.

Rerun: uv run python bench/gateway_readiness.py [--runs 5]
(needs podman: `sudo bash .ci/engine-setup.sh`; starts and stops its own podman service)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner.gateway.container import free_loopback_port  # noqa: E402
from runner.gateway.manager import start_docker_gateway, stop_docker_gateway  # noqa: E402
from runner.gateway.probe import probe_gateway  # noqa: E402
from runner.pipeline import load_spec  # noqa: E402
from tests.gateway.engine_fixture import PodmanService  # noqa: E402
from tests.gateway.image.build import ensure_test_image  # noqa: E402

LOG_MARKERS = ("Login has completed", "Configuration tasks completed", "Logged in to", "Login successful")


def ibrun_ready_seconds(spec_path: Path) -> float:
    loaded = load_spec(spec_path)
    started = time.monotonic()
    handle = start_docker_gateway(loaded, progress=False)
    elapsed = time.monotonic() - started
    print(f"  ibrun: probe handshake {handle.probe.elapsed:.2f}s", flush=True)
    stop_docker_gateway(handle, force=True)
    return elapsed


def log_polling_ready_seconds(client, image: str, knobs: dict[str, str]) -> float:
    port = free_loopback_port()
    started = time.monotonic()
    container = client.containers.run(
        image,
        name="ibrun-bench-logpoll",
        detach=True,
        ports={"4004/tcp": ("127.0.0.1", port)},
        environment={
            "TWS_USERID": "bench",
            "TWS_PASSWORD": "bench",
            "TRADING_MODE": "paper",
            "READ_ONLY_API": "yes",
            **knobs,
        },
        labels={"ibrun.managed": "bench"},
    )
    try:
        for _ in range(120):  # nautilus: `for _ in range(timeout): if is_logged_in: break; sleep(1)`
            logs = container.logs().decode("utf-8", errors="replace")
            if any(marker in logs for marker in LOG_MARKERS):
                break
            time.sleep(1)
        result = probe_gateway("127.0.0.1", port, timeout=10)  # the API really answers
        print(f"  log-poll: marker+probe, probe handshake {result.elapsed:.2f}s", flush=True)
        return time.monotonic() - started
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--server",
        choices=["sim", "stub"],
        default="sim",
        help="API server in the container: ibrun's sim, or the handshake stub",
    )
    parser.add_argument(
        "--login-delay", type=float, default=0.0, help="seconds the image waits before 'login' (IBRUN_TEST_LOGIN_DELAY)"
    )
    args = parser.parse_args()
    knobs = {"IBRUN_TEST_SERVER": args.server, "IBRUN_TEST_LOGIN_DELAY": str(args.login_delay)}
    service = PodmanService()
    service.start()
    try:
        import docker

        client = docker.DockerClient(base_url=service.url, timeout=60)
        image = ensure_test_image(client)
        spec_path = write_spec(Path(tempfile.mkdtemp()), image, knobs)
        ibrun_times, log_times = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both sides alike
            ibrun_times.append(ibrun_ready_seconds(spec_path))
            log_times.append(log_polling_ready_seconds(client, image, knobs))
        print(f"server in container: {args.server}, login delay {args.login_delay:g}s")
        report(ibrun_times, log_times)
    finally:
        service.stop()


def report(ibrun_times: list[float], log_times: list[float]) -> None:
    ibrun_median, log_median = statistics.median(ibrun_times), statistics.median(log_times)
    print(f"runs: {len(ibrun_times)} (interleaved), image: ibrun test gateway")
    print(f"ibrun handshake polling: median {ibrun_median:.2f}s  [{', '.join(f'{t:.2f}' for t in ibrun_times)}]")
    print(f"log polling (1 s):       median {log_median:.2f}s  [{', '.join(f'{t:.2f}' for t in log_times)}]")
    print(f"ratio ibrun / log polling: {ibrun_median / log_median:.2f}")


if __name__ == "__main__":
    main()
