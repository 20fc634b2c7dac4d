"""`gateway:` — where the IB API lives: an existing TWS/Gateway, a docker container, or the sim."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from runner.ib import pacing as ib_pacing
from runner.model.base import FROZEN, Frozen, Port, Seconds

# IB's default API ports, by application and trading mode (the guide's "Default Ports" table).
DEFAULT_PORTS: dict[tuple[str, str], int] = {
    ("tws", "paper"): 7497,
    ("tws", "live"): 7496,
    ("gateway", "paper"): 4002,
    ("gateway", "live"): 4001,
}
LIVE_PORTS = frozenset({7496, 4001})

# Pinned, existing tag of gnzsnz/ib-gateway (nautilus issue #1889: a default tag that did not
# exist). Override with `gateway.docker.image`.
DEFAULT_GATEWAY_IMAGE = "ghcr.io/gnzsnz/ib-gateway:10.30.1t"


class SecretRef(Frozen):
    """A reference to a secret: an environment variable or a file. Never the secret itself."""

    model_config = ConfigDict(
        **FROZEN,
        json_schema_extra={"oneOf": [{"required": ["env"]}, {"required": ["file"]}]},
    )

    env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """Name of the environment variable that holds the secret."""
    file: str | None = None
    """Path of a file (relative to the spec) whose content is the secret."""

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("a secret reference needs exactly one of 'env' or 'file'")
        return self


class DockerGateway(Frozen):
    """An IB Gateway container (gnzsnz/ib-gateway env contract) that ibrun starts and stops."""

    image: str = DEFAULT_GATEWAY_IMAGE
    timeout: Seconds = 300
    """Seconds to wait until the API answers a handshake."""
    username: SecretRef = Field(default_factory=lambda: SecretRef(env="TWS_USERNAME"))
    password: SecretRef = Field(default_factory=lambda: SecretRef(env="TWS_PASSWORD"))
    vnc_port: Port | None = None
    """Publish the container's VNC server on this loopback port."""
    vnc_password: SecretRef | None = None
    """VNC password reference; default `{env: VNC_SERVER_PASSWORD}` when `vnc_port` is set."""
    host_port: Port | None = None
    """Loopback port the API is published on; default: a free port."""
    twofa_timeout_action: Literal["exit", "restart"] | None = None
    container_name: str | None = Field(None, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
    keep: bool = False
    """Leave the container running when ibrun exits (it is reused next time)."""
    restart_policy: Literal["no", "on-failure", "unless-stopped", "always"] = "no"
    env: dict[str, str] = {}
    """Extra, non-secret container environment (e.g. TIME_ZONE)."""


class SimPacing(Frozen):
    """Historical-data pacing limits the simulator enforces with IB error 162."""

    max_requests: int = Field(ib_pacing.MAX_REQUESTS, ge=1)
    window_seconds: float = Field(ib_pacing.WINDOW_SECONDS, gt=0)
    identical_cooldown_seconds: float = Field(ib_pacing.IDENTICAL_COOLDOWN_SECONDS, ge=0)
    per_contract_max: int = Field(ib_pacing.PER_CONTRACT_MAX, ge=1)
    per_contract_window_seconds: float = Field(ib_pacing.PER_CONTRACT_WINDOW_SECONDS, gt=0)

    def rules(self) -> ib_pacing.PacingRules:
        return ib_pacing.PacingRules(**self.model_dump())


class SimulatedGateway(Frozen):
    """ibrun's built-in TWS API simulator, started on a free loopback port for this run."""

    seed: int = 42
    universe: list[str] = []
    """Extra universe files (relative to the spec) adding instruments to the shipped one."""
    accounts: list[str] = Field(default_factory=lambda: ["DU123456"], min_length=1)
    tick_interval_ms: int = Field(250, ge=1)
    control_port: Port | None = None
    pacing: SimPacing = Field(default_factory=SimPacing)


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
