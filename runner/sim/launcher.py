"""Start the simulator as a child process (its own GIL) and stop it reliably."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from runner.errors import SimulatorStartError
from runner.sim.config import SimConfig

_READY = re.compile(r"IBRUN-SIM READY host=(\S+) port=(\d+) control_port=(\d*)")
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: best effort only


class SimProcess:
    def __init__(
        self,
        process: subprocess.Popen[bytes],
        host: str,
        port: int,
        control_port: int | None,
        stderr_path: Path,
        workdir: tempfile.TemporaryDirectory[str],
    ) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.control_port = control_port
        self.stderr_path = stderr_path
        self._workdir = workdir

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def death(self) -> str | None:
        """How the process ended (None while it runs): "killed by SIGKILL", "exited with code 3"."""
        code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with code {code}"

    def stderr_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._workdir.cleanup()
        return self.process.returncode

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(config: SimConfig, *, startup_timeout: float = 10.0) -> SimProcess:
    """Launch `python -m runner.sim` and wait for it to listen (port 0 = a free port)."""
    workdir = tempfile.TemporaryDirectory(prefix="ibrun-sim-")
    ready = Path(workdir.name) / "ready"
    stderr_path = Path(workdir.name) / "stderr.log"
    argv = [sys.executable, "-m", "runner.sim", "--config-json", config.to_json(), "--ready-file", str(ready)]
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_die_with_parent,
            # Its own session: a Ctrl-C at the terminal reaches ibrun, which stops the node first
            # (its on-stop orders still reach the gateway) and this simulator last.
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if ready.exists():
            match = _READY.search(ready.read_text())
            if match:
                control = int(match.group(3)) if match.group(3) else None
                return SimProcess(process, match.group(1), int(match.group(2)), control, stderr_path, workdir)
        if process.poll() is not None:
            break
        time.sleep(0.02)
    exited = process.poll() is not None
    sim = SimProcess(process, config.host, config.port, None, stderr_path, workdir)
    tail = sim.stderr_tail()
    sim.stop(timeout=2)
    what = (
        f"exited with code {process.returncode} before it was ready"
        if exited
        else (f"did not become ready within {startup_timeout:g}s")
    )
    raise SimulatorStartError(f"the simulator {what}; stderr tail:\n{tail}")


def free_port_config(config: SimConfig | None = None, **changes: Any) -> SimConfig:
    """A config on free ports (API and control) — convenient for tests and embedding."""
    base = config or SimConfig()
    return dataclasses.replace(base, port=0, control_port=0, **changes)
