"""Fleet-wide checks: what no single spec can know. Each rule yields `(json_path, message)` in the
fleet file; a message names the member spec's own location of the value it is about.

- two members on one gateway with the same client id (IB error 326 for the second);
- a client id in the range ibrun's own gateway probes use;
- one login (username reference) used by two gateways (IB logs the first session out);
- a live, writable member with an exec client and no `confirm_live: true`;
- a member whose spec trades another mode than its gateway;
- two members with one trader id (one Redis keyspace `trader-<id>`, one order-id space);
- the members' subscriptions on one login beyond its market-data lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from runner.fleet.wiring import PROBE_CLIENT_IDS
from runner.loading.document import JsonPath
from runner.loading.overrides import SET_SOURCE
from runner.model.fleet import Fleet
from runner.model.gateway import SecretRef
from runner.model.secrets import is_secret_variable
from runner.validation.loaded_fleet import LoadedMember
from runner.validation.problems import Problem

FleetRule = Callable[[Fleet, list[LoadedMember]], Iterator[Problem]]


def where(loaded: LoadedMember, path: JsonPath) -> str:
    """Where a member's value was written: `spec.yaml:LINE:COL`, its `set:` entry, or the default."""
    written = loaded.positions.keys.get(path) or loaded.positions.values.get(path)
    if written is None:
        return "default"
    if written.file != SET_SOURCE:
        return str(written)
    if written.line <= len(loaded.member.set):
        return f"members[{loaded.index}].set[{written.line - 1}]"
    return "the fleet's wiring"


def _check_gateways(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    if not fleet.gateways:
        yield ("gateways",), "a fleet needs at least one gateway"
    for index, member in enumerate(fleet.members):
        if member.gateway not in fleet.gateways:
            known = ", ".join(sorted(fleet.gateways)) or "none"
            yield ("members", index, "gateway"), f"unknown gateway '{member.gateway}' (gateways: {known})"


def _check_member_names(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, member in enumerate(fleet.members):
        if member.name in first:
            yield ("members", index, "name"), f"member name '{member.name}' is also members[{first[member.name]}]'s"
        first.setdefault(member.name, index)


def _login(ref: SecretRef, base: str) -> str:
    return f"env {ref.env}" if ref.env else f"file {os.path.normpath(os.path.join(base, ref.file or ''))}"


def _check_logins(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for name in fleet.gateways:  # in the file's order
        username = fleet.gateways[name].username
        if username.env is None:
            yield (
                ("gateways", name, "username"),
                "the username is passed as TWS_USERID from an environment variable (compose) or a Secret "
                "(Kubernetes): write {env: VAR}",
            )
            continue
        login = _login(username, ".")
        if login in seen:
            yield (
                ("gateways", name, "username"),
                f"gateway '{name}' logs in with the same username ({login}) as gateway '{seen[login]}': "
                "IB allows one session per username, so each would log the other out",
            )
        seen.setdefault(login, name)


def _check_gateway_env(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    for name, gateway in fleet.gateways.items():
        for key in sorted(gateway.env):
            if is_secret_variable(key):
                yield (
                    ("gateways", name, "env", key),
                    f"{key} looks like a secret: the environment shows in `docker inspect` and the manifests; "
                    "the password is `password: {file: …}` (mounted as TWS_PASSWORD_FILE)",
                )


def _check_client_ids(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    taken: dict[tuple[str, int], tuple[LoadedMember, str]] = {}
    for loaded in members:
        spec = loaded.spec
        roles = [("data", spec.data.client_id)]
        if spec.exec_ is not None and spec.exec_.client_id != spec.data.client_id:
            roles.append(("exec", spec.exec_.client_id))
        for role, client_id in roles:
            here = where(loaded, (role, "client_id"))
            if client_id in PROBE_CLIENT_IDS:
                yield (
                    ("members", loaded.index),
                    f"member {loaded.member.name}: {role} client id {client_id} ({here}) is in the range ibrun's "
                    f"gateway probes use ({PROBE_CLIENT_IDS.start}..{PROBE_CLIENT_IDS.stop - 1})",
                )
            key = (loaded.member.gateway, client_id)
            if key in taken:
                other, other_role = taken[key]
                yield (
                    ("members", loaded.index),
                    f"member {loaded.member.name}: {role} client id {client_id} ({here}) is also member "
                    f"{other.member.name}'s {other_role} client id ({where(other, (other_role, 'client_id'))}) "
                    f"on gateway '{loaded.member.gateway}': IB refuses the second connection (error 326)",
                )
            taken.setdefault(key, (loaded, role))


def _check_live(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    for loaded in members:
        gateway = loaded.spec.gateway
        if gateway.is_live and gateway.writable and loaded.spec.exec_ is not None and not loaded.member.confirm_live:
            yield (
                ("members", loaded.index),
                f"member {loaded.member.name} trades live (gateway '{loaded.member.gateway}' is live with a "
                "writable API, and the spec has an exec client): confirm it with `confirm_live: true` on the "
                "member, or make the gateway read_only_api: true",
            )


def _check_trading_modes(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    for loaded in members:
        mode = fleet.gateways[loaded.member.gateway].trading_mode
        said = loaded.spec.gateway.trading_mode
        if said != mode:
            here = where(loaded, ("gateway", "trading_mode"))
            yield (
                ("members", loaded.index, "gateway"),
                f"member {loaded.member.name}'s spec trades {said} ({here}) but gateway "
                f"'{loaded.member.gateway}' is {mode}: write `gateway.trading_mode: {mode}` in the spec "
                "(a fleet never changes a spec's trading mode)",
            )


def _check_trader_ids(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    first: dict[str, LoadedMember] = {}
    for loaded in members:
        trader_id = loaded.spec.trader_id
        if trader_id in first:
            other = first[trader_id]
            yield (
                ("members", loaded.index),
                f"member {loaded.member.name}: trader id {trader_id} ({where(loaded, ('trader_id',))}) is also "
                f"member {other.member.name}'s ({where(other, ('trader_id',))}): they would share one Redis "
                f"keyspace (trader-{trader_id}) and one order-id space; give each member its own",
            )
        first.setdefault(trader_id, loaded)


def _check_market_data_lines(fleet: Fleet, members: list[LoadedMember]) -> Iterator[Problem]:
    for name, gateway in fleet.gateways.items():
        counts = {
            loaded.member.name: len({sub.instrument for sub in loaded.spec.data.subscriptions})
            for loaded in members
            if loaded.member.gateway == name
        }
        total = sum(counts.values())
        if total > gateway.market_data_lines:
            shares = ", ".join(f"{member} {count}" for member, count in counts.items() if count)
            yield (
                ("gateways", name, "market_data_lines"),
                f"the members on gateway '{name}' subscribe to {total} instruments ({shares}), more than this "
                f"login's {gateway.market_data_lines} market-data lines: IB refuses the rest (error 101)",
            )


FLEET_RULES: tuple[FleetRule, ...] = (
    _check_gateways,
    _check_member_names,
    _check_logins,
    _check_gateway_env,
    _check_client_ids,
    _check_live,
    _check_trading_modes,
    _check_trader_ids,
    _check_market_data_lines,
)


def run_fleet_checks(fleet: Fleet, members: list[LoadedMember]) -> list[Problem]:
    return [problem for rule in FLEET_RULES for problem in rule(fleet, members)]
