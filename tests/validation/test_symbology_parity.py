"""ibrun's fast load_id grammar must agree with nautilus' own parser, id for id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.ib import exchanges as ib_exchanges
from runner.ib.symbology import KNOWN_SEC_TYPES, LoadIdError, parse_load_id

nautilus_parsing = pytest.importorskip("nautilus_trader.adapters.interactive_brokers.parsing.instruments")

CORPUS = [
    # the guide's simplified examples
    "EUR/USD.IDEALPRO",
    "GBP/USD.IDEALPRO",
    "SPY.ARCA",
    "QQQ.NASDAQ",
    "AAPL.NASDAQ",
    "MSFT.NASDAQ",
    "V.NYSE",
    "BF-B.NYSE",
    "ESM4.CME",
    "ESM24.CME",
    "CLZ7.NYMEX",
    "ES.CME",
    "CL.NYMEX",
    "ESM4 C4200.CME",
    "AAPL230217P00155000.SMART",
    "^SPX.CBOE",
    "^NDX.NASDAQ",
    "912828XE8.SMART",
    "BTC/USD.PAXOS",
    "ETH/USD.PAXOS",
    # edge cases of every decoder
    "EURUSD.IDEALPRO",
    "EUR/US.IDEALPRO",
    "eur/usd.IDEALPRO",
    "BTC/USDT.PAXOS",
    "/USD.PAXOS",
    "EUR/USD.SMART",
    "SPXW  260313P06630000.SMART",
    "AAPL  230217P00155000.SMART",
    "AAPL  230217P00155000.NASDAQ",
    "C OESX 20260213 4775.EUREX",
    "P OEXP 20260212 6480 W.SMART",
    "ESTX50 FESX 20240315.EUREX",
    "ESZ6.CME",
    "ESZ.CME",
    "ESZ66.CME",
    "ABCD.CME",
    "E.CME",
    "ESM4 P4200.5.CME",
    "ESM4 X4200.CME",
    "IBUS30.IBCFD",
    "EUR/USD.IBCFD",
    "XAUUSD.IBCMDTY",
    "ES.XCME",
    "ESM4.XCME",
    "AAPL.XNAS",
    "SPY.GLBX",
    "A.B.C",
    "X",
    ".X",
    "X.",
    "",
    "AAPL.",
    "^.CBOE",
    "N225.OSE.JPN",
    "7203.TSEJ",
]
RAW_CORPUS = [
    "IBUS30=CFD.IBCFD",
    "XAUUSD=CMDTY.IBCMDTY",
    "AAPL=STK.SMART",
    "EUR.USD=CASH.IDEALPRO",
    "AAPL.SMART",
    "=STK.SMART",
    "ESZ6=FUT.CME",
]


def nautilus_sec_type(text: str, symbology: str) -> str | None:
    """secType nautilus derives, None when it needs the gateway; raises when it refuses."""
    from nautilus_trader.adapters.interactive_brokers.config import SymbologyMethod
    from nautilus_trader.model.identifiers import InstrumentId

    instrument_id = InstrumentId.from_str(text)
    exchanges = nautilus_parsing.possible_exchanges_for_venue(instrument_id.venue.value)
    if symbology == "simplified" and len(exchanges) != 1:
        return None
    contract = nautilus_parsing.instrument_id_to_ib_contract(instrument_id, exchanges[0], SymbologyMethod(symbology))
    return contract.secType


def outcome(func, *args):
    try:
        return ("ok", func(*args))
    except (LoadIdError, ValueError, KeyError):
        return ("error", None)


def assert_agree(text: str, symbology: str) -> None:
    ours = outcome(lambda: parse_load_id(text, symbology).sec_type)
    theirs = outcome(nautilus_sec_type, text, symbology)
    if symbology == "raw" and theirs[0] == "ok" and ours[0] == "error":
        # Deliberately stricter than nautilus: an empty local symbol or an unknown secType can
        # never be found at IB, so ibrun refuses what nautilus would only fail on at runtime.
        local_symbol, _, sec_type = text.rpartition(".")[0].rpartition("=")
        assert not local_symbol or sec_type not in KNOWN_SEC_TYPES, text
        return
    assert ours == theirs, f"{text!r}: ibrun {ours} vs nautilus {theirs}"


@pytest.mark.parametrize("text", CORPUS)
def test_simplified_grammar_matches_nautilus(text):
    assert_agree(text, "simplified")


@pytest.mark.parametrize("text", RAW_CORPUS)
def test_raw_grammar_matches_nautilus(text):
    assert_agree(text, "raw")


SYMBOL_CHARS = st.sampled_from(list("ABCESZMUXPW0123456789/ ^.-="))
VENUES = st.sampled_from(
    ["CME", "NYMEX", "IDEALPRO", "PAXOS", "SMART", "NASDAQ", "IBCFD", "IBCMDTY", "EUREX", "XCME", "GLBX", "CBOE"]
)


@settings(max_examples=300, deadline=None)
@given(symbol=st.text(SYMBOL_CHARS, min_size=1, max_size=14), venue=VENUES)
def test_random_ids_agree(symbol, venue):
    assert_agree(f"{symbol}.{venue}", "simplified")


@pytest.mark.parametrize(
    "name", ["VENUES_FUT", "VENUES_CASH", "VENUES_CRYPTO", "VENUES_OPT", "VENUES_CFD", "VENUES_CMDTY"]
)
def test_exchange_tables_mirror_nautilus(name):
    assert getattr(ib_exchanges, name) == frozenset(getattr(nautilus_parsing, name))


def test_venue_members_mirror_nautilus():
    assert {k: tuple(v) for k, v in nautilus_parsing.VENUE_MEMBERS.items()} == ib_exchanges.VENUE_MEMBERS
