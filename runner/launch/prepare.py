"""Preparing a run: spec file → :class:`LaunchPlan` (load, validate, interlock, compile, and the
preflight probe of an existing gateway).

`ibrun run` prepares in a forked child while the parent imports nautilus. The nautilus import
(≈ 1 s) holds the GIL, so a thread would not overlap with validation; a second process does, and
the parent never imports pydantic or the validator at all. The child sends back the plan or the
IbrunError, pickled, through a pipe, and exits; the parent reads it between import steps, so a
bad spec is still reported before nautilus is fully imported.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import select
import signal
import traceback
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.errors import IbrunError, LiveNotConfirmed, NodeFailed
from runner.launch.plan import ClientProbe, ComponentRef, LaunchPlan, RunOptions, SubscriptionRef
from runner.options import LoadOptions

if TYPE_CHECKING:
    from runner.model import Spec
    from runner.pipeline import LoadedSpec

# What the node needs, in import order; between two, the parent looks for the child's answer.
WARM_IMPORTS = (
    "nautilus_trader.model.identifiers",
    "nautilus_trader.config",
    "nautilus_trader.live.node",
    "nautilus_trader.adapters.interactive_brokers.factories",
    "runner.launch.subscriber",
    "runner.launch.supervise",
)


def prepare_file(path: Path, load_options: LoadOptions, options: RunOptions) -> LaunchPlan:
    from runner.pipeline import load_spec

    return prepare(load_spec(path, load_options), options)


def prepare(loaded: LoadedSpec, options: RunOptions) -> LaunchPlan:
    """The spec's launch plan; an existing gateway is probed already (nothing else is started)."""
    plan = plan_launch(loaded, dry_run=options.dry_run, confirm_live=options.confirm_live, environ=options.environ)
    if options.dry_run or plan.gateway_kind != "existing":
        return plan
    from runner.launch.preflight import preflight

    preflight(plan, plan.node.endpoint.host, plan.node.endpoint.port, options.environ)
    return replace(plan, probed=True)


class Preparation:
    """`prepare_file` in a forked child; use as a context manager (the child never outlives it)."""

    def __init__(self, path: Path, load_options: LoadOptions, options: RunOptions) -> None:
        self._answer: tuple[str, Any] | None = None
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            os.close(read_end)
            _child(write_end, path, load_options, options)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")

    def __enter__(self) -> Preparation:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._pipe.close()
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)  # only if it is still running (interrupted)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def check(self) -> None:
        """Raise the child's error if it has answered; never waits."""
        if self._answer is None and select.select([self._pipe], [], [], 0)[0]:
            self._read()
        if self._answer is not None and self._answer[0] != "plan":
            self.result()

    def result(self) -> LaunchPlan:
        if self._answer is None:
            self._read()
        assert self._answer is not None
        kind, value = self._answer
        if kind == "plan":
            return value
        if kind == "error":
            raise value
        error = NodeFailed(f"unexpected error while preparing the run: {value[0]} (rerun with --traceback)")
        error.add_note(value[1])
        raise error

    def _read(self) -> None:
        data = self._pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        if not data:  # killed before answering: by the same Ctrl-C the parent got, or by the OOM killer
            raise NodeFailed("the spec preparation process ended without an answer")
        self._answer = pickle.loads(data)


def warm_up(preparation: Preparation) -> None:
    """Import what the node needs while the child prepares; stop early on its error."""
    for module in WARM_IMPORTS:
        preparation.check()
        importlib.import_module(module)


def _child(write_end: int, path: Path, load_options: LoadOptions, options: RunOptions) -> None:
    # Ctrl-C reaches the whole process group: the child just dies, the parent reports it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        answer: tuple[str, Any] = ("plan", prepare_file(path, load_options, options))
    except IbrunError as error:
        answer = ("error", error)
    except BaseException as error:
        answer = ("crash", (f"{type(error).__name__}: {error}", traceback.format_exc()))
    try:
        data = pickle.dumps(answer)
    except Exception as error:
        data = pickle.dumps(("crash", (f"unpicklable answer: {error}", traceback.format_exc())))
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(data)
    os._exit(0)  # no atexit handlers, no flushing of buffers copied from the parent


# --- the plan of a loaded spec ----------------------------------------------------------------


def plan_launch(loaded: LoadedSpec, *, dry_run: bool, confirm_live: bool, environ: Mapping[str, str]) -> LaunchPlan:
    """The plan of a valid spec; raises LiveNotConfirmed for an unconfirmed live run."""
    from runner.compiler import plan_node
    from runner.launch.interlock import check_live

    spec = loaded.spec
    notes: tuple[str, ...] = ()
    try:
        check_live(spec, confirm_live=confirm_live, environ=environ)
    except LiveNotConfirmed:
        if not dry_run:  # a dry run connects nothing, so it cannot trade
            raise
        notes = ("live trading: a real run needs --confirm-live",)
    return LaunchPlan(
        trader_id=spec.trader_id,
        gateway_kind=spec.gateway.kind,
        spec_path=loaded.path,
        base_dir=loaded.base_dir,
        node=plan_node(spec),
        probes=_probes(spec),
        has_exec=spec.exec_ is not None,
        account_id=spec.exec_.account_id if spec.exec_ is not None else None,
        port_table=_port_table(spec),
        components=_components(spec),
        subscriptions=_subscriptions(spec),
        expected_ids=tuple(spec.instruments.load_ids),
        mic_venues=spec.instruments.convert_exchange_to_mic_venue,
        symbology=spec.instruments.symbology,
        notes=notes,
        loaded=loaded if spec.gateway.kind != "existing" else None,
    )


def _probes(spec: Spec) -> tuple[ClientProbe, ...]:
    ids = {"data.client_id": spec.data.client_id}
    if spec.exec_ is not None:
        ids["exec.client_id"] = spec.exec_.client_id
    unique = dict.fromkeys(ids.values())
    return tuple(
        ClientProbe(client_id, " and ".join(name for name, value in ids.items() if value == client_id))
        for client_id in unique
    )


def _components(spec: Spec) -> tuple[ComponentRef, ...]:
    refs = []
    for kind, section, components in (
        ("strategy", "strategies", spec.node.strategies),
        ("actor", "actors", spec.node.actors),
    ):
        for index, component in enumerate(components):
            where = f"node.{section}[{index}]"
            refs.append(ComponentRef(kind, where, component.path, component.resolved_config_path))
    return tuple(refs)


def _subscriptions(spec: Spec) -> tuple[SubscriptionRef, ...]:
    return tuple(
        SubscriptionRef(f"data.subscriptions[{i}]", sub.instrument, sub.quotes, sub.trades, tuple(sub.bars), sub.depth)
        for i, sub in enumerate(spec.data.subscriptions)
    )


def _port_table(spec: Spec) -> str:
    from runner.model.gateway import DEFAULT_PORTS

    rows = [f"  {app:8} {mode:6} {port}" for (app, mode), port in DEFAULT_PORTS.items()]
    gw = spec.gateway
    if gw.kind != "existing":
        return "\n".join(["IB's default API ports:", *rows])
    origin = "gateway.port" if gw.port is not None else f"default for {gw.app}/{gw.trading_mode}"
    return "\n".join([f"(port {gw.resolved_port}: {origin}; IB's default API ports:)", *rows])
