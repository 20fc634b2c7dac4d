"""A podman Docker-API service for the engine tests: started and stopped by the test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ENABLE_HINT = (
    "needs podman (a Docker-API engine): run `sudo bash .ci/engine-setup.sh` "
    "(installs podman + runc and writes /etc/containers/containers.conf)"
)


class PodmanService:
    """`podman system service` on a private socket; DOCKER_HOST points there while it runs."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="ibrun-podman-"))
        self.socket = self.directory / "podman.sock"
        self.url = f"unix://{self.socket}"
        self.log = self.directory / "service.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._saved_host = os.environ.get("DOCKER_HOST")

    def start(self, timeout: float = 20.0) -> None:
        import docker

        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["podman", "system", "service", "--time=0", self.url],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                docker.DockerClient(base_url=self.url, timeout=5).ping()
                os.environ["DOCKER_HOST"] = self.url
                return
            except Exception:
                time.sleep(0.1)
        self.stop()
        pytest.skip(f"podman API service did not start: {self.log.read_text()[-500:]}; {ENABLE_HINT}")

    def stop(self) -> None:
        if self._saved_host is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = self._saved_host
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def podman_available() -> str | None:
    """None if the engine tests can run here, else why not."""
    if shutil.which("podman") is None:
        return f"podman is not installed: {ENABLE_HINT}"
    if os.geteuid() != 0:
        return f"the engine tests run rootful podman and need root; {ENABLE_HINT}"
    return None
