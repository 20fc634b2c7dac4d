"""The live-trading interlock: one check every command that starts or trades through a gateway
passes (`ibrun run`, `ibrun gateway up`, `ibrun download`, `ibrun instruments fetch`).

Real money is at stake when a gateway is live (by the spec's trading mode or port, or by the
accounts it turns out to manage) and its API is writable, and either

- the command trades through it (`run` with an exec client), or
- ibrun starts it (a `gateway.docker` container): then any client on the machine can trade
  through it for as long as it runs, whatever the command itself does.

Such a setup needs explicit consent: ``--confirm-live``, or ``IBRUN_CONFIRM_LIVE`` set to the
spec's ``trader_id`` (a confirmation exported for one bot does not confirm another). The check
runs twice: :meth:`Interlock.before_start` on the spec, before anything starts or connects, and
:meth:`Interlock.after_handshake` on the managed accounts the gateway announced (a spec that says
paper, pointed at a gateway logged in to a live account, is live). A container published on IB's
default port of the other trading mode is refused outright, consent or not: a spec that trusts
the port would trade on the wrong kind of account through it. A simulated gateway is ibrun's own
and never live, whatever accounts it is given. `download` and `instruments fetch` never place
orders: they pass the interlock only for the container they may start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from runner.errors import GatewayModeConflict, LiveNotConfirmed
from runner.ib.accounts import LIVE_PORTS, account_kind, not_paper, port_contradicts, port_name
from runner.model import Spec

CONFIRM_ENV = "IBRUN_CONFIRM_LIVE"

Command = Literal["run", "gateway up", "download", "instruments fetch"]


@dataclass(frozen=True)
class Consent:
    """What the user said: ``--confirm-live``, and the environment (for ``IBRUN_CONFIRM_LIVE``)."""

    confirm_live: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)

    def given_for(self, trader_id: str) -> bool:
        return self.confirm_live or self.environ.get(CONFIRM_ENV) == trader_id


@dataclass(frozen=True)
class Interlock:
    spec: Spec
    command: Command
    consent: Consent = field(default_factory=Consent)

    @property
    def trades(self) -> bool:
        """The command itself can send orders (only `run`, and only with an exec client)."""
        return self.command == "run" and self.spec.exec_ is not None

    @property
    def starts_gateway(self) -> bool:
        """ibrun starts (or reuses) a container whose API it then leaves open to this machine."""
        return self.spec.gateway.kind == "docker"

    def before_start(self) -> bool:
        """Check the spec before anything starts or connects.

        Raises :class:`GatewayModeConflict` for a container on the other mode's default port, and
        :class:`LiveNotConfirmed` for an unconfirmed live, writable setup. Returns True when the
        setup is live and confirmed, False when it is not live (or cannot trade).
        """
        conflict = port_conflict(self.spec)
        if conflict is not None:
            raise GatewayModeConflict(conflict)
        return self._require(live_reasons(self.spec))

    def after_handshake(self, accounts: Iterable[str], where: str) -> bool:
        """Check the managed accounts the gateway at ``where`` announced; same outcome as
        :meth:`before_start` (the spec's own reasons count too, so the message names them all)."""
        if self.spec.gateway.kind == "simulated":
            return False
        live = not_paper(accounts)
        if not live:
            return self._require(live_reasons(self.spec))
        reasons = [*live_reasons(self.spec), _accounts_reason(self.spec, live, where)]
        return self._require(reasons)

    def _require(self, reasons: list[str]) -> bool:
        writable = writable_reason(self.spec)
        if not reasons or writable is None or not (self.trades or self.starts_gateway):
            return False
        if self.consent.given_for(self.spec.trader_id):
            return True
        raise LiveNotConfirmed(self._message(reasons, writable))

    def _message(self, reasons: list[str], writable: str) -> str:
        spec = self.spec
        if self.trades:
            account = spec.exec_.account_id if spec.exec_ else None
            head = "refusing to trade live without confirmation: this spec can send real orders because"
            what = f"exec: is configured (account_id: {account or 'from TWS_ACCOUNT'})"
        else:
            head = (
                f"refusing to start a live, writable gateway without confirmation (ibrun {self.command}): "
                "any client on this machine could send real orders through it, because"
            )
            what = "ibrun starts this gateway (gateway.docker) and leaves its API open while it runs"
        lines = [
            head,
            *(f"  - {reason}" for reason in [*reasons, writable, what]),
            f"to confirm, pass --confirm-live, or set {CONFIRM_ENV}={spec.trader_id} (the spec's trader_id)",
        ]
        env_value = self.consent.environ.get(CONFIRM_ENV)
        if env_value is not None:
            lines.append(
                f"({CONFIRM_ENV} is set to {env_value!r}, which is not this spec's trader_id {spec.trader_id!r})"
            )
        lines.append("to stay safe instead: set gateway.read_only_api: true, remove exec:, or use a paper login")
        return "\n".join(lines)


def live_reasons(spec: Spec) -> list[str]:
    """Which fields make the gateway live by the spec alone (empty: the spec says paper)."""
    gw = spec.gateway
    if not gw.is_live:
        return []
    reasons = []
    if gw.trading_mode == "live":
        reasons.append("gateway.trading_mode is 'live'")
    if gw.kind == "existing" and gw.resolved_port in LIVE_PORTS:
        if gw.port is not None:
            reasons.append(f"gateway.port {gw.port} is a live-trading port ({_live_port_names()})")
        else:
            reasons.append(
                f"gateway.port defaults to {gw.resolved_port} for app={gw.app!r}, "
                f"trading_mode={gw.trading_mode!r} (a live-trading port)"
            )
    return reasons


def writable_reason(spec: Spec) -> str | None:
    """Why the API accepts orders (None: read-only)."""
    gw = spec.gateway
    if not gw.writable:
        return None
    if gw.read_only_api is False:
        return "gateway.read_only_api is false"
    article = "an" if gw.kind == "existing" else "a"
    return f"gateway.read_only_api is unset ({article} {gw.kind} gateway defaults to a writable API)"


def port_conflict(spec: Spec) -> str | None:
    """Why the container's published port contradicts its trading mode (None: it does not)."""
    docker = spec.gateway.docker
    if docker is None or docker.host_port is None:
        return None
    why = port_contradicts(docker.host_port, spec.gateway.trading_mode)
    if why is None:
        return None
    return (
        f"refusing to publish the gateway container there: gateway.docker.host_port {why} "
        "(gateway.trading_mode). Publish it on another port, or leave host_port unset for a free one"
    )


def _accounts_reason(spec: Spec, live: tuple[str, ...], where: str) -> str:
    kinds = ", ".join(f"{account} ({_kind_name(account)})" for account in live)
    said = "" if spec.gateway.trading_mode == "live" else " although the spec says trading_mode 'paper'"
    return f"the gateway at {where} manages {kinds}{said} (paper accounts start with DU or DF)"


def _kind_name(account: str) -> str:
    return "a live account" if account_kind(account) == "live" else "not a paper account id"


def _live_port_names() -> str:
    return ", ".join(f"{port} = {port_name(port).split(' (')[1].rstrip(')')}" for port in sorted(LIVE_PORTS))
