"""Listen to the IB clients' error stream for the errors ibrun turns into its own exit codes.

Nautilus 1.231 answers IB error 200 ("no security definition") for a load_id by ending the
contract-details request without resolving its future: the provider then waits the whole
`request_timeout` and the data client never connects. ibrun taps ``process_error`` of each IB
client (the wrapper looks the method up per message, so an instance attribute wins) and fails
fast with the load_id that was not found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ERROR_NO_SECURITY = 200
# "Farm connection is OK" / "inactive, available on demand" / "sec-def farm OK": nautilus logs
# them as WARN at every connect (six lines above the live view); they are news, not warnings.
INFORMATIONAL_CODES = frozenset({2104, 2106, 2107, 2108, 2119, 2158})

ErrorListener = Callable[[int, int, str], None]
"""Called with (error_code, req_id, error_string) for every error/status message of a client."""


class ErrorTap:
    def __init__(self) -> None:
        self.not_found: list[str] = []
        """Names (IBContract reprs) of contract requests answered with error 200."""
        self.listeners: list[ErrorListener] = []
        """Also told of every message (the monitoring's error counts, farm and connectivity codes)."""

    def attach_all(self) -> None:
        from nautilus_trader.adapters.interactive_brokers.factories import IB_CLIENTS

        for client in IB_CLIENTS.values():
            self.attach(client)

    def attach(self, client: Any) -> None:
        if getattr(client, "_ibrun_tapped", False):
            return
        original = client.process_error
        original_log = client._log_message

        async def process_error(**kwargs: Any) -> None:
            code = kwargs.get("error_code", 0)
            if code == ERROR_NO_SECURITY:
                request = client._requests.get(req_id=kwargs.get("req_id"))
                if request is not None:
                    self.not_found.append(str(request.name))
            for listener in self.listeners:
                listener(code, kwargs.get("req_id", -1), kwargs.get("error_string", ""))
            await original(**kwargs)

        async def log_message(error_code: int, req_id: int, error_string: str, is_warning: bool) -> None:
            if error_code in INFORMATIONAL_CODES:
                client._log.info(f"{error_string} (code: {error_code}, {req_id=})")
                return
            await original_log(error_code, req_id, error_string, is_warning)

        client.process_error = process_error
        client._log_message = log_message
        client._ibrun_tapped = True


def missing_load_ids(not_found: list[str], load_ids: list[str], symbology: str) -> list[str]:
    """The load_ids whose IB contract (as nautilus builds it) was answered with error 200."""
    from nautilus_trader.adapters.interactive_brokers.config import SymbologyMethod
    from nautilus_trader.adapters.interactive_brokers.parsing.instruments import (
        instrument_id_to_ib_contract,
        possible_exchanges_for_venue,
    )
    from nautilus_trader.model.identifiers import InstrumentId

    method = SymbologyMethod.IB_RAW if symbology == "raw" else SymbologyMethod.IB_SIMPLIFIED
    names = set(not_found)
    missing = []
    for load_id in load_ids:
        instrument_id = InstrumentId.from_str(load_id)
        for exchange in possible_exchanges_for_venue(instrument_id.venue.value):
            try:
                contract = instrument_id_to_ib_contract(instrument_id, exchange, method, {})
            except Exception:  # an id nautilus cannot even turn into a contract
                continue
            if str(contract) in names:
                missing.append(load_id)
                break
    return missing
