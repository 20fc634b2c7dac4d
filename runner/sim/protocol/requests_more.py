"""The rest of the client→server requests as frozen values: reference data, option calculations,
the *Multi account requests, scanner, news, fundamentals, FA, display groups, verification and
WSH (layouts from ibapi/client.py at server versions 157..200, after the message id)."""

from __future__ import annotations

from dataclasses import dataclass

from runner.sim.protocol.requests import contract
from runner.sim.protocol.wire import Fields
from runner.sim.world.universe import ContractQuery


@dataclass(frozen=True, slots=True)
class NoReply:
    """Requests answered with nothing (settings, unsubscribes) or refused without reading them."""

    req_id: int = -1


def versioned(f: Fields, version: int) -> NoReply:
    """`VERSION` then, where the request carries one, its request id."""
    f.skip()
    return NoReply(f.int(-1) if f.remaining() else -1)


def unread(f: Fields, version: int) -> NoReply:
    """Requests whose fields the simulator does not need (verification: names and opaque data)."""
    return NoReply()


def plain(f: Fields, version: int) -> NoReply:
    """No version field: the request id first, if any."""
    return NoReply(f.int(-1) if f.remaining() else -1)


@dataclass(frozen=True, slots=True)
class AccountMultiRequest:
    """reqPositionsMulti / reqAccountUpdatesMulti: one account (or "" / "All") and a model code."""

    req_id: int
    account: str
    model_code: str
    ledger_and_nlv: bool = False


def positions_multi(f: Fields, version: int) -> AccountMultiRequest:
    f.skip()  # VERSION
    return AccountMultiRequest(f.int(), f.str(), f.str())


def account_updates_multi(f: Fields, version: int) -> AccountMultiRequest:
    f.skip()  # VERSION
    return AccountMultiRequest(f.int(), f.str(), f.str(), f.bool())


@dataclass(frozen=True, slots=True)
class TextRequest:
    """A request id and one text argument (matching symbols, smart components, display groups)."""

    req_id: int
    text: str


def matching_symbols(f: Fields, version: int) -> TextRequest:
    return TextRequest(f.int(), f.str())


def smart_components(f: Fields, version: int) -> TextRequest:
    return TextRequest(f.int(), f.str())


def display_group(f: Fields, version: int) -> TextRequest:
    """subscribeToGroupEvents (group id) and updateDisplayGroup (contract info)."""
    f.skip()  # VERSION
    return TextRequest(f.int(), f.str())


def market_rule(f: Fields, version: int) -> NoReply:
    return NoReply(f.int())


@dataclass(frozen=True, slots=True)
class OptionCalculationRequest:
    """calculateImpliedVolatility (value = option price) or calculateOptionPrice (value = volatility)."""

    req_id: int
    contract: ContractQuery
    value: float
    under_price: float


def option_calculation(f: Fields, version: int) -> OptionCalculationRequest:
    f.skip()  # VERSION
    req = f.int()
    return OptionCalculationRequest(req, contract(f), f.float(), f.float())


@dataclass(frozen=True, slots=True)
class HistogramRequest:
    req_id: int
    contract: ContractQuery
    use_rth: bool
    period: str
    """"3 days", "1 week", ..."""


def histogram(f: Fields, version: int) -> HistogramRequest:
    req = f.int()
    return HistogramRequest(req, contract(f, include_expired=True), f.bool(), f.str())


@dataclass(frozen=True, slots=True)
class ExerciseRequest:
    req_id: int
    contract: ContractQuery
    action: int
    """1 exercise, 2 lapse."""
    quantity: int
    account: str


def exercise_options(f: Fields, version: int) -> ExerciseRequest:
    f.skip()  # VERSION
    req = f.int()
    query = contract(f, primary_exchange=False)
    return ExerciseRequest(req, query, f.int(), f.int(), f.str())


@dataclass(frozen=True, slots=True)
class ScannerRequest:
    req_id: int
    rows: int
    instrument: str
    location: str
    scan_code: str
    above_price: float | None
    below_price: float | None


def scanner_subscription(f: Fields, version: int) -> ScannerRequest:
    req, rows = f.int(), f.int(-1)
    instrument, location, scan_code = f.str(), f.str(), f.str()
    above, below = f.str(), f.str()
    return ScannerRequest(req, rows, instrument, location, scan_code, _price(above), _price(below))


def _price(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value < 1e300 else None


@dataclass(frozen=True, slots=True)
class FundamentalRequest:
    req_id: int
    report_type: str


def fundamental_data(f: Fields, version: int) -> FundamentalRequest:
    f.skip()  # VERSION
    req = f.int()
    f.skip(7)  # conId, symbol, secType, exchange, primaryExchange, currency, localSymbol
    return FundamentalRequest(req, f.str())


@dataclass(frozen=True, slots=True)
class NewsRequest:
    """reqNewsArticle (codes = the provider) and reqHistoricalNews (codes = "+"-joined providers)."""

    req_id: int
    codes: str


def news_article(f: Fields, version: int) -> NewsRequest:
    return NewsRequest(f.int(), f.str())


def historical_news(f: Fields, version: int) -> NewsRequest:
    req = f.int()
    f.skip()  # conId
    return NewsRequest(req, f.str())


@dataclass(frozen=True, slots=True)
class ReplaceFaRequest:
    req_id: int


def replace_fa(f: Fields, version: int) -> ReplaceFaRequest:
    f.skip(3)  # VERSION, faDataType, cxml
    return ReplaceFaRequest(f.int(-1) if f.remaining() else -1)
