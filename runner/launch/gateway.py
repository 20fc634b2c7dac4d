"""Where the IB clients connect: an existing gateway as declared, or one ibrun starts and stops."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.compile.nodeplan import Endpoint
from runner.errors import GatewayStartFailed, IbrunError

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.model.gateway import SimulatedGateway


@contextlib.contextmanager
def gateway_endpoint(spec: Spec, base_dir: Path, spec_path: Path | None = None) -> Iterator[Endpoint]:
    """Yield the `Endpoint` to connect to; a gateway started here is stopped on exit."""
    kind = spec.gateway.kind
    if kind == "existing":
        yield Endpoint(spec.gateway.host, spec.gateway.resolved_port)
    elif kind == "simulated":
        assert spec.gateway.simulated is not None
        with _simulator(spec, spec.gateway.simulated, base_dir) as sim:
            yield Endpoint(sim.host, sim.port)
    else:
        with _docker(spec, base_dir, spec_path) as endpoint:
            yield endpoint


@contextlib.contextmanager
def _simulator(spec: Spec, sim: SimulatedGateway, base_dir: Path) -> Iterator[Any]:
    from runner.sim.config import SimConfig
    from runner.sim.launcher import start_simulator

    config = SimConfig(
        host="127.0.0.1",
        port=0,
        seed=sim.seed,
        universe_files=tuple(str((base_dir / name).resolve()) for name in sim.universe),
        accounts=tuple(sim.accounts),
        read_only_api=not spec.gateway.writable,
        tick_interval_ms=sim.tick_interval_ms,
        control_port=sim.control_port,
        pacing=sim.pacing.rules(),
        market_hours=sim.market_hours,
    )
    try:
        process = start_simulator(config)
    except IbrunError:
        raise
    except (OSError, RuntimeError, TimeoutError) as error:
        raise GatewayStartFailed(f"the simulated gateway failed to start: {error}") from error
    with process:
        print(
            f"ibrun: simulated gateway listening on {process.host}:{process.port}",
            file=sys.stderr,
        )
        yield process


@contextlib.contextmanager
def _docker(spec: Spec, base_dir: Path, spec_path: Path | None) -> Iterator[Endpoint]:
    from runner.gateway import manager

    with manager.docker_gateway(spec, base_dir, spec_path=spec_path) as handle:
        yield Endpoint(handle.host, handle.port)  # where the container's API is published
