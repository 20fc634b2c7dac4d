"""ibrun's own fast load_id grammar, equal to nautilus' IB symbology parsers.

`ibrun validate` runs without importing nautilus_trader, so it cannot call
`instrument_id_to_ib_contract`. This module decides the same thing — which IB secType a
load_id denotes under `simplified` or `raw` symbology, or why it cannot be parsed — in the same
order nautilus tries its decoders. `tests/validation/test_symbology_parity.py` runs both over a
corpus of ids and fails on any disagreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from runner.ib.exchanges import (
    VENUE_MEMBERS,
    VENUES_CASH,
    VENUES_CFD,
    VENUES_CMDTY,
    VENUES_CRYPTO,
    VENUES_FUT,
    VENUES_OPT,
)
from runner.ib.sectypes import SecType

_CASH = re.compile(r"^[A-Z]{3}/[A-Z]{3}$")  # EUR/USD
_CRYPTO = re.compile(r"^[A-Z]*/[A-Z]{3}$")  # BTC/USD
_OCC_OPTION = re.compile(r"^[A-Z.][A-Z. ]{5}\d{6}[CP]\d{8}$")  # "SPXW  260313P06630000"
_SHORT_OPTION = re.compile(r"^[CP]\s+[A-Z0-9]{3,6}\s+\d{8}\s+\d+(?:\.\d+)?(?:\s+[A-Z])?$")
_NAMED_FUTURE = re.compile(r"^[A-Z0-9]{2,10}\s+[A-Z0-9]{2,6}\s+\d{8}$")  # "ESTX50 FESX 20240315"
_FUTURE = re.compile(r"^\w{1,3}[FGHJKMNQUVXZ]\d$")  # ESM4
_FUTURE_ROOT = re.compile(r"^\w{1,3}$")  # ES → CONTFUT
_FUTURE_OPTION = re.compile(r"^\w{1,3}[FGHJKMNQUVXZ]\d\s[CP]\d{1,6}(?:\.\d+)?$")  # "ESM4 C4200"
_SPREAD = re.compile(r"^\(.+\)_{3}\(.+\)$")
# The secTypes a spec may name (one definition: the model's Literal).
KNOWN_SEC_TYPES = frozenset(get_args(SecType))


class LoadIdError(ValueError):
    """A load_id that nautilus would refuse; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class ParsedLoadId:
    symbol: str
    venue: str
    sec_type: str | None
    """IB secType the id denotes; None when only the gateway can tell (a multi-exchange MIC)."""


def split_instrument_id(text: str) -> tuple[str, str]:
    """`SYMBOL.VENUE` split at the last dot, as `InstrumentId.from_str` does."""
    symbol, dot, venue = text.rpartition(".")
    if not dot:
        raise LoadIdError(f"'{text}' is not SYMBOL.VENUE (missing '.')")
    if not symbol.strip() or not venue.strip():
        raise LoadIdError(f"'{text}' is not SYMBOL.VENUE (empty {'symbol' if not symbol.strip() else 'venue'})")
    if not text.isascii() or not text.isprintable():
        raise LoadIdError(f"'{text}' must be printable ASCII")
    return symbol, venue


def parse_load_id(text: str, symbology: str = "simplified") -> ParsedLoadId:
    symbol, venue = split_instrument_id(text)
    if symbology == "raw":
        return ParsedLoadId(symbol, venue, _raw_sec_type(text, symbol))
    if _SPREAD.match(symbol):
        return ParsedLoadId(symbol, venue, "BAG")
    exchanges = VENUE_MEMBERS.get(venue, (venue,))
    if len(exchanges) != 1:
        return ParsedLoadId(symbol, venue, None)
    return ParsedLoadId(symbol, venue, _simplified_sec_type(text, symbol, exchanges[0]))


def _raw_sec_type(text: str, symbol: str) -> str:
    local_symbol, eq, sec_type = symbol.rpartition("=")
    if not eq or not local_symbol:
        raise LoadIdError(f"'{text}' is not raw symbology LOCALSYMBOL=SECTYPE.EXCHANGE (e.g. AAPL=STK.SMART)")
    if sec_type not in KNOWN_SEC_TYPES:
        raise LoadIdError(
            f"'{text}': unknown secType '{sec_type}' (expected one of {', '.join(sorted(KNOWN_SEC_TYPES))})"
        )
    return sec_type


def _simplified_sec_type(text: str, symbol: str, exchange: str) -> str:
    # Same order as nautilus' instrument_id_to_ib_contract_simplified_symbology.
    if exchange in VENUES_CASH and _CASH.match(symbol):
        return "CASH"
    if exchange in VENUES_CRYPTO and _CRYPTO.match(symbol):
        return "CRYPTO"
    if symbol.startswith("^"):
        return "IND"
    if exchange in VENUES_FUT and _NAMED_FUTURE.match(symbol):
        return "FUT"
    if exchange in VENUES_OPT and (_OCC_OPTION.match(symbol) or _SHORT_OPTION.match(symbol)):
        return "OPT"
    if exchange in VENUES_FUT:
        return _futures_family(text, symbol)
    if exchange in VENUES_CFD:
        return "CFD"
    if exchange in VENUES_CMDTY:
        return "CMDTY"
    if _OCC_OPTION.match(symbol) or _SHORT_OPTION.match(symbol):
        return "OPT"
    return "STK"


def _futures_family(text: str, symbol: str) -> str:
    if _FUTURE.match(symbol):
        return "FUT"
    if _FUTURE_ROOT.match(symbol):
        return "CONTFUT"
    if _FUTURE_OPTION.match(symbol):
        return "FOP"
    raise LoadIdError(
        f"'{text}' is not a futures id on this exchange: use a 1-digit year (ESM4), "
        f"a root for the continuous future (ES), or an option like 'ESM4 C4200'"
    )


def ibrun_hints(parsed: ParsedLoadId) -> str | None:
    """Ids nautilus accepts but IB will not find: a stock on a forex or crypto venue."""
    if parsed.sec_type == "STK" and parsed.venue in VENUES_CASH | VENUES_CRYPTO:
        kind = "forex" if parsed.venue in VENUES_CASH else "crypto"
        return f"{parsed.venue} is a {kind} venue: write BASE/QUOTE, e.g. EUR/USD.{parsed.venue}"
    return None
