"""IB's API error and notice codes (TWS API "Error Codes" and "Message Codes") that ibrun sends
from its simulator or reacts to."""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    CANNOT_MODIFY_FINISHED_ORDER = 104
    HISTORICAL_DATA = 162
    """Historical Market Data Service error: pacing violation, no data, request too large."""
    SCANNER_NO_ITEMS = 165
    """Historical Market Data Service query message (a scanner with no items: informational)."""
    NO_SECURITY_DEFINITION = 200
    """No security definition has been found (or the description is ambiguous)."""
    ORDER_REJECTED = 201
    ORDER_CANCELLED = 202
    ERROR_READING_REQUEST = 320
    ERROR_VALIDATING_REQUEST = 321
    ERROR_PROCESSING_REQUEST = 322
    CLIENT_ID_IN_USE = 326
    ORDER_MESSAGE = 399
    """A warning about an accepted order (e.g. it waits for the market to open)."""
    FUNDAMENTALS_UNAVAILABLE = 430
    CONNECTIVITY_LOST = 1100
    CONNECTIVITY_RESTORED_DATA_LOST = 1101
    CONNECTIVITY_RESTORED_DATA_MAINTAINED = 1102
    MARKET_DATA_FARM_BROKEN = 2103
    MARKET_DATA_FARM_OK = 2104
    HMDS_FARM_BROKEN = 2105
    HMDS_FARM_OK = 2106
    SECDEF_FARM_BROKEN = 2157
    SECDEF_FARM_OK = 2158
    CANCEL_UNKNOWN_ORDER = 10147
    NEWS_FEED_NOT_ALLOWED = 10276
