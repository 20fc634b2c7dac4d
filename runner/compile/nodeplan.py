"""The compiler's output and its construction: a :class:`NodePlan` describes a spec's nautilus
configs as :class:`runner.compile.build.Build` values; :func:`assemble` constructs them for one gateway
address. Neither pydantic nor nautilus is imported here (nautilus only when assembling).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from runner.compile.build import Build, SecretReader, materialize, with_secrets

if TYPE_CHECKING:
    from nautilus_trader.adapters.interactive_brokers.config import (
        InteractiveBrokersDataClientConfig,
        InteractiveBrokersExecClientConfig,
        InteractiveBrokersInstrumentProviderConfig,
    )
    from nautilus_trader.live.config import TradingNodeConfig

# Key of the IB data/exec client in TradingNodeConfig (nautilus' `IB` constant; a test keeps them equal).
CLIENT_KEY: str = "INTERACTIVE_BROKERS"


@dataclass(frozen=True)
class Endpoint:
    """Where the IB clients connect: an existing gateway, or the one ibrun started."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class NodePlan:
    """A spec's nautilus configs, described; the clients get the provider and address in `assemble`."""

    provider: Build
    data_client: Build
    exec_client: Build | None
    node: Build
    endpoint: Endpoint
    """The declared gateway address (a placeholder for docker/simulated gateways)."""


@dataclass(frozen=True)
class CompiledSpec:
    """The nautilus configs of one spec; both clients share the one provider config object."""

    instrument_provider: InteractiveBrokersInstrumentProviderConfig
    data_client: InteractiveBrokersDataClientConfig
    exec_client: InteractiveBrokersExecClientConfig | None
    node: TradingNodeConfig


def resolve_secrets(plan: NodePlan, read: SecretReader) -> NodePlan:
    """The plan with its secrets read (values, masks or references: whatever ``read`` gives)."""
    return replace(plan, node=with_secrets(plan.node, read))


def assemble(plan: NodePlan, endpoint: Endpoint | None = None) -> CompiledSpec:
    """Construct the configs; both clients get the one provider object and the gateway address."""
    target = endpoint if endpoint is not None else plan.endpoint
    provider = materialize(plan.provider)
    shared = {"instrument_provider": provider, "ibg_host": target.host, "ibg_port": target.port}
    data_client = materialize(plan.data_client.with_kwargs(**shared))
    exec_client = materialize(plan.exec_client.with_kwargs(**shared)) if plan.exec_client is not None else None
    node = materialize(
        plan.node.with_kwargs(
            data_clients={CLIENT_KEY: data_client},
            exec_clients={CLIENT_KEY: exec_client} if exec_client is not None else {},
        )
    )
    return CompiledSpec(provider, data_client, exec_client, node)
