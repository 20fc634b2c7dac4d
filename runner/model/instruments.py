"""`instruments:` — symbology and what the instrument provider loads at start."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal

from runner.ib.sectypes import SecType
from runner.model.base import FROZEN, Constraints, Frozen, JsonSchemaExtra, section

ExpiryDays = Annotated[int, Constraints(ge=0)] | None
# Dates and multipliers are strings for IB, but YAML users write them unquoted: the schema
# accepts both so editors agree with ibrun (which turns numbers into their text).
TextOrNumber = JsonSchemaExtra({"type": ["string", "integer"]})


@section
class Contract(Frozen):
    """An `IBContract`: IB's own field names, plus nautilus' chain-building options."""

    # YAML users write `lastTradeDateOrContractMonth: 20240315` and `multiplier: 50` unquoted;
    # IB wants strings, so numbers are accepted and turned into their text.
    __pydantic_config__ = {**FROZEN, "coerce_numbers_to_str": True}

    secType: SecType
    conId: Annotated[int, Constraints(ge=0)] = 0
    symbol: str = ""
    localSymbol: str = ""
    exchange: str = ""
    primaryExchange: str = ""
    currency: str = ""
    tradingClass: str = ""
    lastTradeDateOrContractMonth: Annotated[str, Constraints(pattern=r"^(\d{6}|\d{8})?$"), TextOrNumber] = ""
    """Expiry as YYYYMM or YYYYMMDD."""
    lastTradeDate: Annotated[str, Constraints(pattern=r"^(\d{8})?$"), TextOrNumber] = ""
    multiplier: Annotated[str, TextOrNumber] = ""
    strike: Annotated[float, Constraints(ge=0)] | None = None
    right: Literal["C", "P", "CALL", "PUT", ""] = ""
    includeExpired: bool = False
    secIdType: Literal["", "ISIN", "CUSIP", "SEDOL", "RIC", "CONID", "FIGI"] = ""
    secId: str = ""
    description: str = ""
    issuerId: str = ""
    build_futures_chain: bool | None = None
    build_options_chain: bool | None = None
    options_chain_exchange: str | None = None
    """Exchange for the options chain (default SMART)."""
    min_expiry_days: ExpiryDays = None
    max_expiry_days: ExpiryDays = None


@section
class Instruments(Frozen):
    """Maps to `InteractiveBrokersInstrumentProviderConfig`, shared by data and exec clients."""

    symbology: Literal["simplified", "raw"] = "simplified"
    """`simplified` (IB_SIMPLIFIED, e.g. `EUR/USD.IDEALPRO`) or `raw` (`EUR.USD=CASH.IDEALPRO`)."""
    load_ids: list[str] = field(default_factory=list)
    """Instrument ids to load at start, in the chosen symbology."""
    contracts: list[Contract] = field(default_factory=list)
    """IBContracts to load at start (`load_contracts`), chains included."""
    build_options_chain: bool | None = None
    build_futures_chain: bool | None = None
    min_expiry_days: ExpiryDays = None
    max_expiry_days: ExpiryDays = None
    convert_exchange_to_mic_venue: bool = False
    symbol_to_mic_venue: dict[str, str] = field(default_factory=dict)
    cache_validity_days: Annotated[int, Constraints(ge=1)] | None = None
    """Keep what was loaded in ibrun's instrument cache for this many days (less when an instrument in
    it expires first): a restart within them sends no contract-details request. Neither this nor
    `pickle_path` set: no cache (nautilus 1.231 itself ignores both)."""
    pickle_path: str | None = None
    """The instrument cache file (versioned JSON, despite nautilus' name), relative to the working
    directory; default: one per request and gateway login in `$XDG_CACHE_HOME/ibrun/instruments/`
    (`~/.cache/...`). Set alone: valid for 1 day."""
    filter_sec_types: list[str] = field(default_factory=list)
