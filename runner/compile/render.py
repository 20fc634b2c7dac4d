"""Compiled spec → the text `ibrun render` prints: nautilus' own JSON encoding, or YAML of it.

The document is exactly ``TradingNodeConfig.json()`` decoded, with two changes made for people:

* lists that nautilus holds as frozensets (``load_ids``, ``load_contracts``, ...) are sorted,
  because set order changes from run to run (string hashing is randomised) and a render must be
  stable to be diffed;
* secret values are masked as ``********`` unless ``show_secrets`` (`runner.model.secrets`).

:func:`parse_rendered` turns the JSON back into an equal ``TradingNodeConfig``; nautilus' own
``TradingNodeConfig.parse`` cannot, because its client configs are typed ``Any`` and decode to
the base ``LiveDataClientConfig``, which rejects the IB fields.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import msgspec
import yaml
from nautilus_trader.adapters.interactive_brokers.config import (
    DockerizedIBGatewayConfig,
    InteractiveBrokersDataClientConfig,
    InteractiveBrokersExecClientConfig,
    InteractiveBrokersInstrumentProviderConfig,
)
from nautilus_trader.common.config import NautilusConfig
from nautilus_trader.live.config import RoutingConfig, TradingNodeConfig

from runner.compile.canonical import Document, canonical
from runner.compile.compiler import CompiledSpec, Endpoint, default_endpoint
from runner.model import Spec
from runner.model.secrets import mask_secrets

RenderFormat = Literal["json", "yaml"]


def node_document(compiled: CompiledSpec, show_secrets: bool = False) -> Document:
    """The TradingNodeConfig as JSON primitives: canonical set order, secrets masked."""
    document = canonical(msgspec.json.decode(compiled.node.json()))
    return document if show_secrets else mask_secrets(document)


def dump_document(document: Document, fmt: RenderFormat) -> str:
    if fmt == "yaml":
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_header(spec: Spec, endpoint: Endpoint | None) -> list[str]:
    """Lines that say where the clients point, and how the gateway is started."""
    gateway = spec.gateway
    target = endpoint if endpoint is not None else default_endpoint(gateway)
    if gateway.kind == "existing":
        return [f"gateway: existing {gateway.app} ({gateway.trading_mode}) at {target}"]
    lines = [f"gateway: {gateway.kind}, started by ibrun ({gateway.trading_mode})"]
    if endpoint is None:
        lines.append(
            f"ibg_host/ibg_port are a placeholder ({target}, IB's default for "
            f"{gateway.app}/{gateway.trading_mode}); the real port is chosen when it starts"
        )
    if gateway.docker is not None:
        docker = gateway.docker
        lines.append(
            f"image {docker.image}; credentials {_describe(docker.username)} / "
            f"{_describe(docker.password)} go to the container only, never to nautilus"
        )
    return lines


def _describe(ref: Any) -> str:
    return f"env:{ref.env}" if ref.env is not None else f"file:{ref.file}"


def parse_rendered(raw: str | bytes) -> TradingNodeConfig:
    """Decode rendered JSON (with secrets shown) back into a TradingNodeConfig."""
    document = json.loads(raw)
    data_clients = {name: _parse_data_client(config) for name, config in document.pop("data_clients").items()}
    exec_clients = {
        name: InteractiveBrokersExecClientConfig.parse(json.dumps(config))
        for name, config in document.pop("exec_clients").items()
    }
    node = TradingNodeConfig.parse(json.dumps(document))
    return msgspec.structs.replace(node, data_clients=data_clients, exec_clients=exec_clients)


def _parse_data_client(config: Document) -> InteractiveBrokersDataClientConfig:
    # `market_data_type` is annotated with ibapi's MarketDataTypeEnum, an object rather than a
    # type, so msgspec cannot decode this struct at all: decode its nested structs one by one.
    config = dict(config)
    nested: dict[str, type[NautilusConfig]] = {
        "instrument_provider": InteractiveBrokersInstrumentProviderConfig,
        "routing": RoutingConfig,
        "dockerized_gateway": DockerizedIBGatewayConfig,
    }
    for name, config_type in nested.items():
        if config.get(name) is not None:
            config[name] = config_type.parse(json.dumps(config[name]))
    return InteractiveBrokersDataClientConfig(**config)
