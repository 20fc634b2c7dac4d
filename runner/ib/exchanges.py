"""IB exchange tables the load_id grammar needs, mirrored from nautilus_trader 1.231.

`ibrun validate` must not import nautilus (1-2 s), so these facts live here; a test compares
them with `nautilus_trader.adapters.interactive_brokers.parsing.instruments` so an upgrade
that changes them fails loudly.
"""

from __future__ import annotations

VENUE_MEMBERS: dict[str, tuple[str, ...]] = {
    "NDEX": ("ENDEX",),
    "XCME": ("CME",),
    "XCEC": ("CME",),
    "XFXS": ("CME",),
    "XCBT": ("CBOT",),
    "CBCM": ("CBOT",),
    "XNYM": ("NYMEX",),
    "NYUM": ("NYMEX",),
    "IFUS": ("NYBOT",),
    "GLBX": ("CBOT", "CME", "NYBOT", "NYMEX"),
    "XNAS": ("NASDAQ",),
    "XNYS": ("NYSE",),
    "ARCX": ("ARCA",),
    "BATS": ("BATS",),
    "IEXG": ("IEX",),
    "XCBO": ("CBOE",),
    "XCBF": ("CFE",),
    "XTSE": ("TSX",),
    "IFEU": ("ICEEU", "ICEEUSOFT", "IPE"),
    "XLON": ("LSE",),
    "XPAR": ("SBF",),
    "XETR": ("IBIS",),
    "XEUR": ("DTB", "EUREX", "SOFFEX"),
    "XAMS": ("AEB",),
    "XBRU": ("EBS",),
    "XBRD": ("BELFOX",),
    "XLIS": ("BVLP",),
    "XDUB": ("IRE",),
    "XOSL": ("OSL",),
    "XSWX": ("EBS", "SIX", "SWX"),
    "XSVX": ("VRTX",),
    "XMIL": ("BIT", "BVME", "IDEM"),
    "XMAD": ("MDRD", "BME"),
    "DXEX": ("BATEEN",),
    "XWBO": ("WBAG",),
    "XBUD": ("BUX",),
    "XPRA": ("PRA",),
    "XWAR": ("WSE",),
    "XIST": ("ISE",),
    "XSTO": ("SFB",),
    "XCSE": ("KFB",),
    "XHEL": ("HMB",),
    "XICE": ("ISB",),
    "XASX": ("ASX",),
    "XHKG": ("SEHK",),
    "XHKF": ("HKFE",),
    "XSES": ("SGX",),
    "XOSE": ("OSE.JPN",),
    "XTKS": ("TSEJ", "TSE.JPN"),
    "XKRX": ("KSE", "KRX"),
    "XTAI": ("TASE", "TWSE"),
    "XSHG": ("SEHKNTL", "SSE"),
    "XSHE": ("SEHKSZSE",),
    "XNSE": ("NSE",),
    "XBOM": ("BSE",),
    "XSFE": ("SNFE",),
    "XMEX": ("MEXDER",),
    "XJSE": ("JSE",),
    "XBOG": ("BVC",),
    "XTAE": ("TASE",),
    "BVMF": ("BVMF",),
}
VENUES_FUT: frozenset[str] = frozenset(
    [
        "BELFOX",
        "CBOT",
        "CFE",
        "CME",
        "COMEX",
        "DTB",
        "EUREX",
        "HKFE",
        "ICEEU",
        "ICEEUSOFT",
        "IDEM",
        "IPE",
        "KCBT",
        "MEXDER",
        "MGE",
        "NYBOT",
        "NYMEX",
        "OSE.JPN",
        "SNFE",
        "SOFFEX",
        "VRTX",
    ]
)
VENUES_CASH: frozenset[str] = frozenset(["IDEALPRO"])
VENUES_CRYPTO: frozenset[str] = frozenset(["PAXOS"])
VENUES_OPT: frozenset[str] = frozenset(["EUREX", "SMART"])
VENUES_CFD: frozenset[str] = frozenset(["IBCFD"])
VENUES_CMDTY: frozenset[str] = frozenset(["IBCMDTY"])
