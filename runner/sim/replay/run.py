"""Run the recorder in the foreground until SIGINT/SIGTERM (what `ibrun record` calls)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

from runner.errors import UsageError
from runner.sim.replay.recorder import RecorderConfig, serve_recorder

READY = "IBRUN-RECORD READY listen={host}:{port} upstream={upstream} out={out}"


async def _serve(config: RecorderConfig) -> None:
    recorder, server = await serve_recorder(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    upstream = f"{config.upstream_host}:{config.upstream_port}"
    print(READY.format(host=config.listen_host, port=port, upstream=upstream, out=config.out), flush=True)
    await stop.wait()
    server.close()
    recorder.writer.close()


def record(
    upstream_host: str,
    upstream_port: int,
    listen_host: str,
    listen_port: int,
    out: Path,
    *,
    scrub: bool = True,
    max_version: int = 200,
) -> None:
    logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = RecorderConfig(upstream_host, upstream_port, listen_host, listen_port, out, scrub, max_version)
    try:
        asyncio.run(_serve(config))
    except OSError as exc:
        where = f"write {out}" if exc.filename else f"listen on {listen_host}:{listen_port}"
        raise UsageError(f"ibrun record: cannot {where}: {exc.strerror or exc}") from None
