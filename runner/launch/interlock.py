"""The live-trading interlock: a live, writable setup with an exec client needs explicit consent.

Checked before anything starts (no gateway, no connection). Consent is `--confirm-live`, or the
environment variable ``IBRUN_CONFIRM_LIVE`` set to the spec's ``trader_id`` (so a confirmation
exported for one bot does not silently confirm another).
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.errors import LiveNotConfirmed
from runner.model import Spec
from runner.model.gateway import DEFAULT_PORTS, LIVE_PORTS

CONFIRM_ENV = "IBRUN_CONFIRM_LIVE"


def live_reasons(spec: Spec) -> list[str]:
    """Which fields make the gateway live (empty: not live)."""
    gw = spec.gateway
    if not gw.is_live:
        return []
    reasons = []
    if gw.trading_mode == "live":
        reasons.append("gateway.trading_mode is 'live'")
    if gw.kind == "existing" and gw.resolved_port in LIVE_PORTS:
        if gw.port is not None:
            reasons.append(f"gateway.port {gw.port} is a live-trading port ({_port_names()})")
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


def check_live(spec: Spec, *, confirm_live: bool, environ: Mapping[str, str]) -> bool:
    """Raise :class:`LiveNotConfirmed` for an unconfirmed live+writable+exec spec.

    Returns True when the run is live trading (confirmed), False when it is not live trading.
    """
    reasons = live_reasons(spec)
    writable = writable_reason(spec)
    if not reasons or writable is None or spec.exec_ is None:
        return False
    if confirm_live:
        return True
    env_value = environ.get(CONFIRM_ENV)
    if env_value is not None and env_value == spec.trader_id:
        return True
    raise LiveNotConfirmed(_message(spec, reasons, writable, env_value))


def _message(spec: Spec, reasons: list[str], writable: str, env_value: str | None) -> str:
    account = spec.exec_.account_id if spec.exec_ else None
    why = [*reasons, writable, f"exec: is configured (account_id: {account or 'from TWS_ACCOUNT'})"]
    lines = [
        "refusing to trade live without confirmation: this spec can send real orders because",
        *(f"  - {reason}" for reason in why),
        f"to confirm, pass --confirm-live, or set {CONFIRM_ENV}={spec.trader_id} (the spec's trader_id)",
    ]
    if env_value is not None:
        lines.append(f"({CONFIRM_ENV} is set to {env_value!r}, which is not this spec's trader_id {spec.trader_id!r})")
    lines.append("to stay safe instead: set gateway.read_only_api: true, remove exec:, or use trading_mode: paper")
    return "\n".join(lines)


def _port_names() -> str:
    names = {port: f"{app} {mode}" for (app, mode), port in DEFAULT_PORTS.items()}
    return ", ".join(f"{port} = {names[port]}" for port in sorted(LIVE_PORTS))
