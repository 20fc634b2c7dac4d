"""Run the simulator in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import yaml

from runner.errors import SimulatorSetupFailed
from runner.sim.config import SimConfig
from runner.sim.control import serve_control
from runner.sim.replay.recording import RecordingError
from runner.sim.replay.replayer import ReplayServer
from runner.sim.server import SimServer


def ready_line(host: str, port: int, control_port: int | None) -> str:
    return (
        f"IBRUN-SIM READY host={host} port={port} "
        f"control_port={control_port if control_port is not None else ''} pid={os.getpid()}"
    )


async def serve(config: SimConfig, ready_file: str | None = None) -> None:
    server: SimServer | ReplayServer = ReplayServer(config) if config.replay_file else SimServer(config)
    await server.start()
    control_port = None
    control = None
    if config.control_port is not None and isinstance(server, SimServer):  # a replay has no world to steer
        control = await serve_control(server, "127.0.0.1", config.control_port)
        control_port = control.sockets[0].getsockname()[1]
    # Before the READY line: a launcher may send SIGTERM as soon as it reads it.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    line = ready_line(config.host, server.port, control_port)
    print(line, flush=True)
    if ready_file:
        tmp = Path(ready_file + ".tmp")
        tmp.write_text(line + "\n")
        tmp.replace(ready_file)
    await stop.wait()
    if control is not None:
        control.close()
    await server.stop()


def run(config: SimConfig, ready_file: str | None = None) -> None:
    logging.basicConfig(
        level=config.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(serve(config, ready_file))
    except RecordingError as exc:
        raise SimulatorSetupFailed(f"ibrun sim --replay: {exc}") from None
    except OSError as exc:
        # A universe file that cannot be read is an OSError too: name the file, not the port.
        problem = (
            f"cannot read universe file {exc.filename}: {exc.strerror}"
            if exc.filename
            else f"cannot listen on {config.host}:{config.port}: {exc}"
        )
        raise SimulatorSetupFailed(f"ibrun sim {problem}") from None
    except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else " ".join(str(exc).split())
        raise SimulatorSetupFailed(f"ibrun sim: invalid universe file: {detail}") from None
