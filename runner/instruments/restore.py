"""Loaded instruments ↔ cache rows, and putting cached instruments into a provider.

A row is nautilus' own `Instrument.to_dict`; its `info` holds the IB contract details as nautilus'
parser stored them (`contract_details_to_dict`). Restoring skips what makes a cold load slow
(decoding and parsing each contract: ≈ 0.6 ms per instrument), so 2,000 option contracts are
back in a fraction of a second.
"""

from __future__ import annotations

import enum
import functools
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
import nautilus_trader.model.instruments as nautilus_instruments
from ibapi.tag_value import TagValue
from nautilus_trader.adapters.interactive_brokers.common import IBContract, IBContractDetails
from nautilus_trader.adapters.interactive_brokers.providers import InteractiveBrokersInstrumentProvider
from nautilus_trader.model.instruments import Instrument

from runner.instruments.store import Unusable


@dataclass(frozen=True)
class Restored:
    instrument: Instrument
    details: IBContractDetails


def rows_of(provider: InteractiveBrokersInstrumentProvider) -> list[dict[str, Any]]:
    """The provider's instruments that came with IB contract details, in load order."""
    details = provider.contract_details
    return [type(i).to_dict(i) for i in provider.get_all().values() if i.id in details]


def restored(rows: list[dict[str, Any]]) -> list[Restored]:
    """Instruments and contract details of cache rows; Unusable if a row is damaged.

    Nothing is added anywhere yet, so a damaged file leaves the provider untouched."""
    try:
        return [_restored(row) for row in rows]
    except (KeyError, TypeError, ValueError, AttributeError, msgspec.ValidationError) as error:
        raise Unusable(f"corrupt (a cached instrument does not load: {type(error).__name__}: {error})") from error


def apply(provider: InteractiveBrokersInstrumentProvider, items: list[Restored]) -> None:
    """What nautilus' provider records for each instrument it parsed, and the node's cache."""
    cache = provider._client._cache
    for item in items:
        instrument, details = item.instrument, item.details
        assert details.contract is not None  # restored() always sets it
        provider.add(instrument)
        if not cache.instrument(instrument.id):
            cache.add_instrument(instrument)
        provider.contract[instrument.id] = details.contract
        provider.contract_details[instrument.id] = details
        provider.contract_id_to_instrument_id[details.contract.conId] = instrument.id


def _restored(row: dict[str, Any]) -> Restored:
    cls = getattr(nautilus_instruments, str(row["type"]), None)
    if not (isinstance(cls, type) and issubclass(cls, Instrument)):
        raise ValueError(f"unknown instrument type {row['type']!r}")
    info = row["info"]
    for name in _contract_detail_fields().enums:  # JSON turned the enums' tuple values into lists
        if isinstance(info.get(name), list):
            info[name] = tuple(info[name])
    instrument = cls.from_dict(row)  # type: ignore[attr-defined]  # Cython classmethod
    return Restored(instrument, details_of(info))


def details_of(info: dict[str, Any]) -> IBContractDetails:
    """`IBContractDetails` of an instrument's `info` — what nautilus' `dict_to_contract_details`
    returns (a test keeps them equal), without re-reading the struct's fields for every call."""
    fields = _contract_detail_fields()
    values = {name: value for name, value in info.items() if name in fields.names}
    values["contract"] = IBContract(**_without_defaults(info["contract"], _defaults(IBContract)))
    if isinstance(secids := values.get("secIdList"), dict):
        values["secIdList"] = [TagValue(tag, value) for tag, value in secids.items()]
    for name in fields.decimals:
        if isinstance(values.get(name), str):
            values[name] = Decimal(values[name])
    for name, enum_type in fields.enums.items():
        if name in values:
            values[name] = enum_type(values[name])
    return IBContractDetails(**_without_defaults(values, _defaults(IBContractDetails)))


def _without_defaults(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    # A value equal to its field's default is left to the default itself: nautilus' structs omit
    # a default from their repr (a request name) by identity, and JSON made new objects.
    return {name: value for name, value in values.items() if name not in defaults or value != defaults[name]}


@functools.cache
def _defaults(struct: type) -> dict[str, Any]:
    return {
        field.name: field.default
        for field in msgspec.structs.fields(struct)
        if field.default is not msgspec.NODEFAULT and not isinstance(field.default, list | dict)
    }


@dataclass(frozen=True)
class _Fields:
    names: frozenset[str]
    decimals: tuple[str, ...]
    enums: dict[str, type[enum.Enum]]


@functools.cache
def _contract_detail_fields() -> _Fields:
    hints = typing.get_type_hints(IBContractDetails)
    names = frozenset(field.name for field in msgspec.structs.fields(IBContractDetails))
    decimals = tuple(name for name in names if hints.get(name) is Decimal)
    enums = {name: hint for name in names if isinstance(hint := hints.get(name), type) and issubclass(hint, enum.Enum)}
    return _Fields(names, decimals, enums)
