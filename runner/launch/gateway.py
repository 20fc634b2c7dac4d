"""Where the IB clients connect: an existing gateway as declared, or one ibrun starts and stops."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.compile.nodeplan import Endpoint
from runner.errors import GatewayDied, GatewayStartFailed, IbrunError

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.model.gateway import SimulatedGateway


def _never_died() -> GatewayDied | None:
    return None


@dataclass(frozen=True)
class StartedGateway:
    """Where to connect, and whether the gateway ibrun started for the run has died since."""

    endpoint: Endpoint
    died: Callable[[], GatewayDied | None] = _never_died
    """The error to stop the run with once the gateway is gone (polled by the supervisor)."""


@contextlib.contextmanager
def gateway_endpoint(spec: Spec, base_dir: Path, spec_path: Path | None = None) -> Iterator[Endpoint]:
    """Yield the `Endpoint` to connect to; a gateway started here is stopped on exit."""
    with started_gateway(spec, base_dir, spec_path) as gateway:
        yield gateway.endpoint


@contextlib.contextmanager
def started_gateway(spec: Spec, base_dir: Path, spec_path: Path | None = None) -> Iterator[StartedGateway]:
    """`gateway_endpoint` with the means to notice that a simulator ibrun started has died."""
    kind = spec.gateway.kind
    if kind == "existing":
        yield StartedGateway(Endpoint(spec.gateway.host, spec.gateway.resolved_port))
    elif kind == "simulated":
        assert spec.gateway.simulated is not None
        with _simulator(spec, spec.gateway.simulated, base_dir) as sim:
            yield StartedGateway(Endpoint(sim.host, sim.port), lambda: _simulator_died(sim))
    else:
        with _docker(spec, base_dir, spec_path) as endpoint:
            yield StartedGateway(endpoint)


def _simulator_died(sim: Any) -> GatewayDied | None:
    how = sim.death()
    if how is None:
        return None
    return GatewayDied(
        f"the simulated gateway ({sim.host}:{sim.port}, pid {sim.pid}) {how} while the node was running;"
        " the node was stopped"
    )


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
