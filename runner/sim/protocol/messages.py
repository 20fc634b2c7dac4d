"""Message ids of the TWS API text protocol and the server versions at which layouts change: the
one place they are spelled as numbers. Names are ibapi's (`ibapi/message.py` IN/OUT,
`ibapi/server_versions.py` MIN_SERVER_VER_*); a test compares every value with ibapi's."""

from __future__ import annotations

from enum import IntEnum


class ClientMsg(IntEnum):
    """Requests a client sends (ibapi's OUT): those the simulator understands."""

    REQ_MKT_DATA = 1
    CANCEL_MKT_DATA = 2
    PLACE_ORDER = 3
    CANCEL_ORDER = 4
    REQ_OPEN_ORDERS = 5
    REQ_ACCT_DATA = 6
    REQ_EXECUTIONS = 7
    REQ_IDS = 8
    REQ_CONTRACT_DATA = 9
    REQ_MKT_DEPTH = 10
    CANCEL_MKT_DEPTH = 11
    REQ_AUTO_OPEN_ORDERS = 15
    REQ_ALL_OPEN_ORDERS = 16
    REQ_MANAGED_ACCTS = 17
    REQ_HISTORICAL_DATA = 20
    CANCEL_HISTORICAL_DATA = 25
    REQ_CURRENT_TIME = 49
    REQ_REAL_TIME_BARS = 50
    CANCEL_REAL_TIME_BARS = 51
    REQ_GLOBAL_CANCEL = 58
    REQ_MARKET_DATA_TYPE = 59
    REQ_POSITIONS = 61
    REQ_ACCOUNT_SUMMARY = 62
    CANCEL_ACCOUNT_SUMMARY = 63
    CANCEL_POSITIONS = 64
    START_API = 71
    REQ_SEC_DEF_OPT_PARAMS = 78
    REQ_FAMILY_CODES = 80
    REQ_MKT_DEPTH_EXCHANGES = 82
    REQ_HEAD_TIMESTAMP = 87
    REQ_PNL = 92
    CANCEL_PNL = 93
    REQ_PNL_SINGLE = 94
    CANCEL_PNL_SINGLE = 95
    REQ_HISTORICAL_TICKS = 96
    REQ_TICK_BY_TICK_DATA = 97
    CANCEL_TICK_BY_TICK_DATA = 98
    REQ_COMPLETED_ORDERS = 99
    REQ_USER_INFO = 104
    REQ_CURRENT_TIME_IN_MILLIS = 105


class ServerMsg(IntEnum):
    """Messages the server sends (ibapi's IN): those the simulator writes."""

    TICK_PRICE = 1
    TICK_SIZE = 2
    ORDER_STATUS = 3
    ERR_MSG = 4
    OPEN_ORDER = 5
    ACCT_VALUE = 6
    PORTFOLIO_VALUE = 7
    ACCT_UPDATE_TIME = 8
    NEXT_VALID_ID = 9
    CONTRACT_DATA = 10
    EXECUTION_DATA = 11
    MARKET_DEPTH = 12
    MARKET_DEPTH_L2 = 13
    MANAGED_ACCTS = 15
    HISTORICAL_DATA = 17
    BOND_CONTRACT_DATA = 18
    CURRENT_TIME = 49
    REAL_TIME_BARS = 50
    CONTRACT_DATA_END = 52
    OPEN_ORDER_END = 53
    ACCT_DOWNLOAD_END = 54
    EXECUTION_DATA_END = 55
    TICK_SNAPSHOT_END = 57
    MARKET_DATA_TYPE = 58
    COMMISSION_AND_FEES_REPORT = 59
    POSITION_DATA = 61
    POSITION_END = 62
    ACCOUNT_SUMMARY = 63
    ACCOUNT_SUMMARY_END = 64
    SECURITY_DEFINITION_OPTION_PARAMETER = 75
    SECURITY_DEFINITION_OPTION_PARAMETER_END = 76
    FAMILY_CODES = 78
    MKT_DEPTH_EXCHANGES = 80
    TICK_REQ_PARAMS = 81
    HEAD_TIMESTAMP = 88
    HISTORICAL_DATA_UPDATE = 90
    PNL = 94
    PNL_SINGLE = 95
    HISTORICAL_TICKS = 96
    HISTORICAL_TICKS_BID_ASK = 97
    HISTORICAL_TICKS_LAST = 98
    TICK_BY_TICK = 99
    COMPLETED_ORDER = 101
    COMPLETED_ORDERS_END = 102
    USER_INFO = 107
    HISTORICAL_DATA_END = 108
    CURRENT_TIME_IN_MILLIS = 109


class ServerVersion(IntEnum):
    """The first server version with a layout change the encoders and parsers follow."""

    MKT_DEPTH_PRIM_EXCHANGE = 149
    """reqMktDepth carries primaryExchange."""
    REPLACE_FA_END = 157
    DURATION = 158
    POST_TO_ATS = 160
    AUTO_CANCEL_PARENT = 162
    FRACTIONAL_SIZE_SUPPORT = 163
    """contractData carries sizeMinTick (this version only)."""
    SIZE_RULES = 164
    """contractData carries minSize/sizeIncrement (nautilus needs them for CASH, IND, CRYPTO...)."""
    ADVANCED_ORDER_REJECT = 166
    PEGBEST_PEGMID_OFFSETS = 170
    FA_PROFILE_DESUPPORT = 177
    PENDING_PRICE_REVISION = 178
    LAST_TRADE_DATE = 182
    CUSTOMER_ACCOUNT = 183
    PROFESSIONAL_CUSTOMER = 184
    BOND_ACCRUED_INTEREST = 185
    INELIGIBILITY_REASONS = 186
    BOND_TRADING_HOURS = 188
    INCLUDE_OVERNIGHT = 189
    CME_TAGGING_FIELDS = 192
    """cancelOrder no longer starts with a version field."""
    CME_TAGGING_FIELDS_IN_OPEN_ORDER = 193
    ERROR_TIME = 194
    FULL_ORDER_PREVIEW_FIELDS = 195
    HISTORICAL_DATA_END = 196
    """historicalData no longer carries start/end; a separate historicalDataEnd follows."""
    SUBMITTER = 198
    IMBALANCE_ONLY = 199
    PROTOBUF = 201
    """Message ids become raw ints and payloads protobuf: beyond the text protocol."""


OLDEST_LAYOUT = ServerVersion.REPLACE_FA_END
"""The oldest version the encoders lay out (ib_async-style clients advertise v157..178)."""
NEWEST_TEXT_LAYOUT = ServerVersion.PROTOBUF - 1
"""200: the highest fully text-based version."""
