"""How a member spec is wired into its fleet: `--set` overrides applied after the member's own.

Each member runs `ibrun run SPEC --set …` in its container; these overrides point it at its
fleet gateway, serve its monitoring endpoints to the engine's probes and keep its state in the
fleet's Redis. They are plain `--set` strings so that validation (every member is validated with
them) and the exported command lines are the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.model.fleet import Fleet, FleetGateway, Member

# The gnzsnz/ib-gateway image publishes the API inside its container on these ports (socat in
# front of IB Gateway's own 4002/4001, which listens on localhost only).
GATEWAY_API_PORTS = {"paper": 4004, "live": 4003}
REDIS_PORT = 6379
# Client ids of ibrun's own handshake probes (gateway health, a node waiting for its gateway):
# a range no member may use, one id per prober so that two probes never collide (IB error 326).
PROBE_CLIENT_IDS = range(1_999_990_000, 2_000_000_000)
_PROBE_BASE = PROBE_CLIENT_IDS.start


@dataclass(frozen=True)
class Hosts:
    """What the members reach by name: service names in compose, Service names in Kubernetes."""

    redis: str
    gateways: dict[str, str]


def compose_hosts(fleet: Fleet) -> Hosts:
    return Hosts("redis", {name: f"gateway-{name}" for name in fleet.gateways})


def k8s_hosts(fleet: Fleet) -> Hosts:
    return Hosts(f"{fleet.name}-redis", {name: f"{fleet.name}-gateway-{name}" for name in fleet.gateways})


def member_overrides(fleet: Fleet, member: Member, hosts: Hosts) -> tuple[str, ...]:
    """Every override the fleet applies to `member`, after the member's own `set:`."""
    gateway = fleet.gateways[member.gateway]
    sets = gateway_overrides(hosts.gateways[member.gateway], gateway)
    sets += monitoring_overrides(member)
    if member.state == "redis":
        sets += redis_overrides(hosts.redis)
    return sets


def gateway_overrides(host: str, gateway: FleetGateway) -> tuple[str, ...]:
    """The member's `gateway:` becomes the fleet gateway: an existing gateway at its service. The
    trading mode stays the spec's own (a fleet check wants it equal to the gateway's)."""
    return (
        f"gateway.host={host}",
        f"gateway.port={GATEWAY_API_PORTS[gateway.trading_mode]}",
        "gateway.app=gateway",
        f"gateway.read_only_api={'true' if gateway.read_only_api else 'false'}",
        "gateway.docker=null",
        "gateway.simulated=null",
    )


def monitoring_overrides(member: Member) -> tuple[str, ...]:
    # Beyond loopback: the engine's probes and a Prometheus scrape come from outside the container.
    return (f"monitoring.listen=0.0.0.0:{member.monitoring_port}", "monitoring.allow_remote=true")


def redis_overrides(host: str) -> tuple[str, ...]:
    """The member's cache on the fleet's Redis (issue 11's `node.cache.database`). Each member's
    keys are its own through nautilus' trader prefix (`trader-<trader_id>:`), so trader ids must
    differ (a fleet check); the message bus is left as the member's spec says."""
    return (f"node.cache.database.host={host}", f"node.cache.database.port={REDIS_PORT}")


def gateway_probe_client_ids(fleet: Fleet, gateway: str) -> tuple[int, int]:
    """(the watcher's, the healthcheck's) client ids for one gateway's probes."""
    index = sorted(fleet.gateways).index(gateway)
    return _PROBE_BASE + 2 * index, _PROBE_BASE + 2 * index + 1


def member_probe_client_id(fleet: Fleet, member: Member) -> int:
    """The client id a member's wait-for-gateway probe uses (Kubernetes init container)."""
    return _PROBE_BASE + 1000 + [m.name for m in fleet.members].index(member.name)
