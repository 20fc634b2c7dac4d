"""A fleet file (`kind: fleet`): many specs, the gateways they share, a Redis for their state.

`ibrun export compose|k8s FLEET` turns it into what docker compose or Kubernetes runs; ibrun does
not orchestrate anything itself. The rules that need more than a type (client ids per gateway,
one login per gateway, live confirmations, trader ids, market-data lines) are in
`runner.validation.checks_fleet`, run after every member spec was validated with its overrides.
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.model.base import FROZEN, Constraints, Frozen, JsonSchemaExtra, Port, section
from runner.model.gateway import DEFAULT_GATEWAY_IMAGE, SecretRef

# Names become DNS labels (compose services, Kubernetes objects `<fleet>-node-<member>`): short
# enough that every derived name stays within Kubernetes' 63 characters.
Name = Annotated[
    str,
    Constraints(pattern=r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"),
    JsonSchemaExtra({"description": "Lower-case letters, digits and '-', starting with a letter, at most 20."}),
]
# Kubernetes resource quantities (`500m`, `1`, `1Gi`, `512Mi`); compose gets them converted.
CpuQuantity = Annotated[str, Constraints(pattern=r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$")]
MemoryQuantity = Annotated[str, Constraints(pattern=r"^[0-9]+(Ki|Mi|Gi|Ti)$")]
ImageReference = Annotated[str, Constraints(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._/:@+-]*$")]

DEFAULT_NODE_IMAGE = "ibrun-node:0.1.0"
DEFAULT_REDIS_IMAGE = "redis:7.2"


@section
class Resources(Frozen):
    """What the scheduler reserves for a container (Kubernetes requests; compose reservations)."""

    cpu: CpuQuantity = "250m"
    """CPU request, Kubernetes style: `250m` is a quarter of a core."""
    memory: MemoryQuantity = "512Mi"
    """Memory request (`512Mi`, `1Gi`)."""
    memory_limit: MemoryQuantity | None = None
    """Memory limit; the container is killed above it. Default: twice the request."""


def node_resources() -> Resources:
    return Resources(cpu="500m", memory="768Mi")


def gateway_resources() -> Resources:
    return Resources(cpu="500m", memory="1Gi")


def redis_resources() -> Resources:
    return Resources(cpu="100m", memory="256Mi")


@section
class Images(Frozen):
    """Where the images come from. ibrun builds and pushes none of them: the node image is built
    from `Dockerfile` and pushed to your registry by you (README: Fleets)."""

    node: ImageReference = DEFAULT_NODE_IMAGE
    """ibrun with your strategies (`docker build -t ... .` with the project's Dockerfile); also runs the
    gateway probes."""
    gateway: ImageReference = DEFAULT_GATEWAY_IMAGE
    """An image with the gnzsnz/ib-gateway env contract."""
    redis: ImageReference = DEFAULT_REDIS_IMAGE
    pull_policy: Literal["IfNotPresent", "Always", "Never"] = "IfNotPresent"
    """Kubernetes `imagePullPolicy` (compose: `pull_policy`, `missing` for IfNotPresent)."""


@section
class FleetGateway(Frozen):
    """One IB Gateway per login and trading mode (IB lets a username be logged in once at a time),
    shared by every member that names it."""

    trading_mode: Literal["paper", "live"]
    username: SecretRef
    """The login, `{env: VAR}` (a reference; compose reads the variable at `up`, Kubernetes the
    Secret `<fleet>-gateway-<name>`, key `username`)."""
    password: SecretRef
    """`{file: PATH}` or `{env: VAR}`: mounted as a file (TWS_PASSWORD_FILE), never in the
    environment; Kubernetes: the Secret `<fleet>-gateway-<name>`, key `password`."""
    read_only_api: bool = True
    """Whether the API refuses orders (gnzsnz READ_ONLY_API). Members with an exec client that
    trade need `false`."""
    twofa_timeout_action: Literal["exit", "restart"] | None = None
    env: dict[str, str] = field(default_factory=dict)
    """Extra, non-secret container environment (e.g. TIME_ZONE)."""
    market_data_lines: Annotated[int, Constraints(ge=1)] = 100
    """Concurrent market-data lines of this login's account (IB's default is 100); the members'
    subscriptions on this gateway must fit."""
    resources: Resources = field(default_factory=gateway_resources)


@section
class FleetRedis(Frozen):
    """One Redis for the members' state (each member its own keyspace: `trader-<trader_id>`),
    append-only persistence on a volume."""

    storage: MemoryQuantity = "1Gi"
    """Size of its volume (Kubernetes PersistentVolumeClaim)."""
    appendfsync: Literal["always", "everysec", "no"] = "everysec"
    resources: Resources = field(default_factory=redis_resources)


@section
class Member(Frozen):
    """One node: a spec, the gateway it trades through and its overrides."""

    name: Name
    spec: Annotated[str, Constraints(min_length=1)]
    """The spec file, relative to the fleet file (it may `extends:` others)."""
    gateway: Name
    """A key of `gateways`."""
    set: list[str] = field(default_factory=list)
    """Overrides like `ibrun run --set` (`data.client_id=11`), applied before the fleet's own
    wiring (gateway address, monitoring, Redis)."""
    confirm_live: bool = False
    """This member may trade live (a live, writable gateway with an exec client): the node runs
    with `--confirm-live`. Without it such a member is an error."""
    state: Literal["redis", "none"] = "redis"
    """`redis`: orders and positions are kept in the fleet's Redis (node.cache.database)."""
    monitoring_port: Port = 9464
    """Where the node serves /healthz, /readyz and /metrics in its container."""
    storage: MemoryQuantity | None = None
    """A volume for the node's working directory (instrument cache, log files); default none."""
    resources: Resources = field(default_factory=node_resources)


def fleet_key(attribute: str) -> str:
    return "$schema" if attribute == "schema_" else attribute


@section
class Fleet(Frozen):
    """Many specs, the gateways they share and a Redis for their state, exported to docker
    compose or Kubernetes by `ibrun export`."""

    __pydantic_config__ = {**FROZEN, "alias_generator": fleet_key}

    schema_: str | None = None
    """JSON schema reference for editors; ignored by ibrun."""
    kind: Literal["fleet"]
    version: Literal[1]
    extends: str | list[str] | None = None
    """Base fleet file(s) this file overlays (mappings merge, lists replace)."""
    name: Name
    """The compose project and the prefix of every Kubernetes object."""
    images: Images = field(default_factory=Images)
    redis: FleetRedis = field(default_factory=FleetRedis)
    gateways: dict[Name, FleetGateway]
    members: Annotated[list[Member], Constraints(min_length=1)]
