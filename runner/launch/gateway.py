"""Where the IB clients connect: an existing gateway as declared, or one ibrun starts and stops.

A container ibrun starts passes the live interlock twice (`runner.launch.interlock`): on the spec
before it starts, and on the accounts its API announced once it answers; refused then, a container
this call created is removed again (even with ``keep: true``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.compile.nodeplan import Endpoint
from runner.errors import GatewayDied, GatewayStartFailed, IbrunError, LiveNotConfirmed

if TYPE_CHECKING:
    from runner.gateway.manager import GatewayHandle
    from runner.launch.interlock import Interlock
    from runner.model import Spec
    from runner.model.gateway import SimulatedGateway
    from runner.validation.pipeline import LoadedSpec


def _never_died() -> GatewayDied | None:
    return None


@dataclass(frozen=True)
class StartedGateway:
    """Where to connect, and whether the gateway ibrun started for the run has died since."""

    endpoint: Endpoint
    died: Callable[[], GatewayDied | None] = _never_died
    """The error to stop the run with once the gateway is gone (polled by the supervisor)."""


@contextlib.contextmanager
def gateway_endpoint(loaded: LoadedSpec, interlock: Interlock, *, progress: bool = True) -> Iterator[Endpoint]:
    """Yield the `Endpoint` to connect to; a gateway started here is stopped on exit."""
    with started_gateway(loaded, interlock, progress=progress) as gateway:
        yield gateway.endpoint


@contextlib.contextmanager
def started_gateway(loaded: LoadedSpec, interlock: Interlock, *, progress: bool = True) -> Iterator[StartedGateway]:
    """`gateway_endpoint` with the means to notice that a simulator ibrun started has died."""
    spec = loaded.spec
    kind = spec.gateway.kind
    if kind == "existing":
        yield StartedGateway(Endpoint(spec.gateway.host, spec.gateway.resolved_port))
    elif kind == "simulated":
        assert spec.gateway.simulated is not None
        with _simulator(spec, spec.gateway.simulated, loaded.base_dir) as sim:
            yield StartedGateway(Endpoint(sim.host, sim.port), lambda: _simulator_died(sim))
    else:
        with _docker(loaded, interlock, progress) as handle:
            yield StartedGateway(Endpoint(handle.host, handle.port))  # where its API is published


def start_checked_container(loaded: LoadedSpec, interlock: Interlock, *, progress: bool = True) -> GatewayHandle:
    """Start (or reuse) the spec's container, then check the accounts its API announced.

    Refused by the interlock, a container created by this call is removed (with its secret
    files) before the error is raised; a reused one was running before and is left as it was.
    """
    from runner.gateway.manager import start_docker_gateway, stop_docker_gateway

    interlock.before_start()
    handle = start_docker_gateway(loaded, progress=progress)
    try:
        interlock.after_handshake(handle.probe.managed_accounts, f"{handle.host}:{handle.port}")
    except LiveNotConfirmed as error:
        if handle.created:
            stop_docker_gateway(handle, force=True)
            raise LiveNotConfirmed(f"{error}\n(the container ibrun started for it was removed)") from None
        raise LiveNotConfirmed(
            f"{error}\n(its container {handle.container_name} was already running; `ibrun gateway down SPEC` stops it)"
        ) from None
    return handle


@contextlib.contextmanager
def _docker(loaded: LoadedSpec, interlock: Interlock, progress: bool) -> Iterator[GatewayHandle]:
    from runner.gateway.manager import stop_docker_gateway

    handle = start_checked_container(loaded, interlock, progress=progress)
    refused = False
    try:
        yield handle
    except LiveNotConfirmed:
        refused = True  # by the preflight's handshake: a container created for it is not kept
        raise
    finally:
        stop_docker_gateway(handle, force=refused and handle.created)


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
