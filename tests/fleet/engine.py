"""What the fleet engine tests share: the local images, the healthcheck driver, a real compose.

podman runs a container's healthcheck from a systemd timer; where no systemd runs (this machine,
CI containers) it never runs by itself and a service stays `starting` for ever. `HealthDriver`
stands in for the timer only: it asks podman to run each container's own healthcheck
(`podman healthcheck run`: the command inside the container, podman records the result, which
is what compose's `service_healthy` and the tests read through the Docker API).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

COMPOSE_HINT = (
    "needs Debian's docker-compose (1.29, speaks the Docker API): run `sudo bash .ci/engine-setup.sh` "
    "(or `apt-get install docker-compose`)"
)


def compose_binary() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        pytest.skip(COMPOSE_HINT)
    return found


class HealthDriver:
    """Runs the healthchecks of the containers `select` returns, every `interval` seconds."""

    def __init__(self, select: Callable[[], list[Any]], interval: float = 2.0) -> None:
        self.select = select
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="health-driver")

    def __enter__(self) -> HealthDriver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(30)

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                containers = self.select()
            except Exception:  # the engine may be tearing the project down
                continue
            for container in containers:
                if container.status == "running" and container.attrs["Config"].get("Healthcheck"):
                    subprocess.run(["podman", "healthcheck", "run", container.id], capture_output=True, timeout=60)


def wait_for[T](condition: Callable[[], T | None], timeout: float, what: str, poll: float = 0.5) -> T:
    """Poll `condition` until it returns a value (the event), or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
