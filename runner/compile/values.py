"""Build targets for nautilus values a spec writes in plain YAML: durations, enum names, types,
and the escape hatch's arguments. Each is called by `materialize`, when nautilus is imported
anyway; the compiler only names them (``Build("runner.compile.values:…", …)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from runner.compile.build import resolve

# `node.streaming.rotation_mode` → nautilus' `RotationMode` member (a test keeps them equal).
ROTATION_MODES = {
    "size": "SIZE",
    "interval": "INTERVAL",
    "scheduled_dates": "SCHEDULED_DATES",
    "no_rotation": "NO_ROTATION",
}


def seconds(value: float) -> Any:
    """A `pd.Timedelta` of `value` seconds (what nautilus declares for durations)."""
    import pandas as pd

    return pd.Timedelta(seconds=value)


def origin_offsets(offsets: dict[str, float]) -> dict[Any, Any]:
    """`{MINUTE: 30}` → `{BarAggregation.MINUTE: pd.Timedelta(30 s)}`, the data engine's form."""
    from nautilus_trader.model.enums import bar_aggregation_from_str

    return {bar_aggregation_from_str(name): seconds(value) for name, value in offsets.items()}


def rotation_mode(name: str) -> Any:
    from nautilus_trader.persistence.writer import RotationMode

    return RotationMode[ROTATION_MODES[name]]


def time_of_day(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def python_type(path: str) -> type:
    """The class at `module:Class` (message bus `types_filter`, streaming `include_types`)."""
    found = resolve(path)
    if not isinstance(found, type):
        raise TypeError(f"{path} is not a class")
    return found


def nautilus_argument(name: str, value: Any) -> Any:
    """One `node.nautilus` argument, decoded from its JSON form as nautilus decodes a
    TradingNodeConfig (raises msgspec.ValidationError with nautilus' message)."""
    import msgspec
    from nautilus_trader.common.config import msgspec_decoding_hook, msgspec_encoding_hook
    from nautilus_trader.live.config import TradingNodeConfig

    raw = msgspec.json.encode({name: value}, enc_hook=msgspec_encoding_hook)
    decoded = msgspec.json.decode(raw, type=TradingNodeConfig, dec_hook=msgspec_decoding_hook)
    return getattr(decoded, name)
