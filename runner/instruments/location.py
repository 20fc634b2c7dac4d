"""Whether a provider keeps an instrument cache, where its file lives, and what it is keyed by.

No nautilus import: `ibrun instruments clear` and the provider inside a node share these rules.
The provider config is read duck-typed (`InteractiveBrokersInstrumentProviderConfig` attributes).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_VALIDITY_DAYS = 1
"""How long a cache set only by `pickle_path` stays valid."""

# The provider settings that decide which instruments a load returns (not the cache settings).
_REQUEST_FIELDS = (
    "build_options_chain",
    "build_futures_chain",
    "min_expiry_days",
    "max_expiry_days",
    "convert_exchange_to_mic_venue",
    "filter_callable",
)


@dataclass(frozen=True)
class CachePolicy:
    """A provider's cache: its own file (`pickle_path`) or one in the default directory."""

    path: Path | None
    validity_days: int

    def file_for(self, key: str, identity: str) -> Path:
        """The file of one request key and gateway login."""
        if self.path is not None:
            return self.path
        return default_directory() / f"{key}-{_digest(identity)[:8]}.json"

    def files_for(self, key: str) -> list[Path]:
        """Every existing file of a request key (all gateway logins)."""
        if self.path is not None:
            return [self.path] if self.path.exists() else []
        return sorted(default_directory().glob(f"{key}-*.json"))


def cache_policy(config: Any) -> CachePolicy | None:
    """The cache a provider config asks for: None when it sets neither cache field.

    A relative `pickle_path` is relative to the working directory, like `download.catalog`."""
    days, path = config.cache_validity_days, config.pickle_path
    if days is None and not path:
        return None
    where = Path(path).expanduser().absolute() if path else None
    return CachePolicy(where, days or DEFAULT_VALIDITY_DAYS)


def default_directory(environ: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_CACHE_HOME/ibrun/instruments` (default `~/.cache/ibrun/instruments`)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ibrun" / "instruments"


def request_of(config: Any) -> dict[str, Any]:
    """What a provider config asks IB for, as plain sorted JSON values (a stable cache key)."""
    request: dict[str, Any] = {
        "symbology": str(getattr(config.symbology_method, "value", config.symbology_method)),
        "load_ids": sorted(str(instrument_id) for instrument_id in config.load_ids or ()),
        # nautilus orders contracts by repr too; the repr omits defaults, so it is stable
        "contracts": sorted(repr(contract) for contract in config.load_contracts or ()),
        "symbol_to_mic_venue": sorted((config.symbol_to_mic_venue or {}).items()),
        "filter_sec_types": sorted(config.filter_sec_types or ()),
    }
    request.update({name: getattr(config, name, None) for name in _REQUEST_FIELDS})
    return request


def request_key(request: Mapping[str, Any]) -> str:
    return _digest(json.dumps(request, sort_keys=True, default=str))[:16]


def gateway_identity(accounts: Iterable[str]) -> str:
    """The gateway login a cache was loaded through: its managed accounts (paper `DU…`, live `U…`)."""
    return ",".join(sorted(accounts))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
