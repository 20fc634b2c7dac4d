"""`gateway:` — where the IB API lives: an existing TWS/Gateway, a docker container, or the sim."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.ib.accounts import DEFAULT_PORTS, LIVE_PORTS
from runner.model.base import FROZEN, Constraints, Frozen, Port, WholeSeconds, section
from runner.model.pacing import Pacing

# Pinned, existing tag of gnzsnz/ib-gateway (nautilus issue #1889: a default tag that did not
# exist). Override with `gateway.docker.image`.
DEFAULT_GATEWAY_IMAGE = "ghcr.io/gnzsnz/ib-gateway:10.30.1t"


@section
class SecretRef(Frozen):
    """A reference to a secret: an environment variable or a file. Never the secret itself."""

    __pydantic_config__ = {**FROZEN, "json_schema_extra": {"oneOf": [{"required": ["env"]}, {"required": ["file"]}]}}

    env: Annotated[str, Constraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    """Name of the environment variable that holds the secret."""
    file: str | None = None
    """Path of a file (relative to the spec) whose content is the secret."""

    def __post_init__(self) -> None:
        # pydantic-core runs this after validating the fields, so this is a validation error
        # located at the reference (and constructing one in code is checked the same way).
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret reference needs exactly one of 'env' or 'file'")


# Default factories are named functions: the stored core schema refers to them by name.
def username_from_env() -> SecretRef:
    return SecretRef(env="TWS_USERNAME")


def password_from_env() -> SecretRef:
    return SecretRef(env="TWS_PASSWORD")


def paper_account() -> list[str]:
    return ["DU123456"]


@section
class DockerGateway(Frozen):
    """An IB Gateway container (gnzsnz/ib-gateway env contract) that ibrun starts and stops."""

    image: str = DEFAULT_GATEWAY_IMAGE
    timeout: WholeSeconds = 300
    """Seconds to wait until the API answers a handshake."""
    username: SecretRef = field(default_factory=username_from_env)
    password: SecretRef = field(default_factory=password_from_env)
    vnc_port: Port | None = None
    """Publish the container's VNC server on this loopback port."""
    vnc_password: SecretRef | None = None
    """VNC password reference; default `{env: VNC_SERVER_PASSWORD}` when `vnc_port` is set."""
    host_port: Port | None = None
    """Loopback port the API is published on; default: a free port."""
    twofa_timeout_action: Literal["exit", "restart"] | None = None
    container_name: Annotated[str, Constraints(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")] | None = None
    keep: bool = False
    """Leave the container running when ibrun exits (it is reused next time)."""
    restart_policy: Literal["no", "on-failure", "unless-stopped", "always"] = "no"
    env: dict[str, str] = field(default_factory=dict)
    """Extra, non-secret container environment (e.g. TIME_ZONE)."""


@section
class SimulatedGateway(Frozen):
    """ibrun's built-in TWS API simulator, started on a free loopback port for this run."""

    seed: int = 42
    universe: list[str] = field(default_factory=list)
    """Extra universe files (relative to the spec) adding instruments to the shipped one."""
    accounts: Annotated[list[str], Constraints(min_length=1)] = field(default_factory=paper_account)
    tick_interval_ms: Annotated[int, Constraints(ge=1)] = 250
    control_port: Port | None = None
    pacing: Pacing = field(default_factory=Pacing)
    """Historical-data pacing the simulator enforces with IB error 162 (default: IB's)."""
    market_hours: Literal["exchange", "always_open"] = "exchange"
    """`exchange`: each market trades in its exchange's hours and days, as with IB (nothing trades
    on a Saturday); `always_open`: every market trades around the clock (demos, tests)."""


@section
class Gateway(Frozen):
    """Declared once, fanned out to the data and exec clients."""

    host: str = "127.0.0.1"
    port: Port | None = None
    """API port; default from `app` and `trading_mode` (7497/7496 TWS, 4002/4001 Gateway)."""
    app: Literal["tws", "gateway"] = "gateway"
    trading_mode: Literal["paper", "live"] = "paper"
    read_only_api: bool | None = None
    """Whether the API refuses orders. Default: true for docker, false otherwise."""
    docker: DockerGateway | None = None
    simulated: SimulatedGateway | None = None

    @property
    def kind(self) -> Literal["existing", "docker", "simulated"]:
        if self.docker is not None:
            return "docker"
        return "simulated" if self.simulated is not None else "existing"

    @property
    def resolved_port(self) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[(self.app, self.trading_mode)]

    @property
    def writable(self) -> bool:
        if self.read_only_api is not None:
            return not self.read_only_api
        return self.kind != "docker"

    @property
    def is_live(self) -> bool:
        if self.kind == "simulated":
            return False
        return self.trading_mode == "live" or (self.kind == "existing" and self.resolved_port in LIVE_PORTS)
