"""The instrument cache file: one versioned JSON document, written atomically.

A file that cannot be used — missing, unreadable, corrupt, written by another ibrun cache format
or nautilus version, for other instruments or another gateway login, or stale — is reported by
:class:`Unusable` with the reason, which the provider logs in one line before loading from IB.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import os
import time
from pathlib import Path
from typing import Any

import msgspec

from runner.loading.files import MAX_INSTRUMENT_CACHE_BYTES, FileRefused, read_bytes

FORMAT = 1
"""Bump when the document's layout or meaning changes: older files are then ignored."""
DAY = 86_400.0


class Unusable(Exception):
    """Why a cache file is not used; ``str()`` is the reason."""


class Header(msgspec.Struct):
    format: int
    nautilus: str


class Snapshot(msgspec.Struct, kw_only=True):
    """What one load returned, for one request key and gateway login."""

    format: int = FORMAT
    nautilus: str = ""
    key: str
    request: dict[str, Any]
    gateway: str
    """The gateway login: its managed accounts (see `location.gateway_identity`)."""
    created: float
    stale_after: float
    """Unix time after which the file is stale: its validity ran out or an instrument in it expired."""
    instruments: list[dict[str, Any]]
    """nautilus `Instrument.to_dict` rows (with the IB contract details in `info`), in load order."""


def snapshot_of(
    key: str,
    request: dict[str, Any],
    gateway: str,
    instruments: list[dict[str, Any]],
    validity_days: int,
    now: float | None = None,
) -> Snapshot:
    """A snapshot taken ``now``: stale after ``validity_days`` or when its first instrument expires."""
    created = time.time() if now is None else now
    stale_after = created + validity_days * DAY
    expiries = [row["expiration_ns"] / 1e9 for row in instruments if isinstance(row.get("expiration_ns"), int)]
    live = [expiry for expiry in expiries if expiry > created]  # futures chains include expired ones
    if live:
        stale_after = min(stale_after, min(live))
    return Snapshot(
        nautilus=nautilus_version(),
        key=key,
        request=request,
        gateway=gateway,
        created=created,
        stale_after=stale_after,
        instruments=instruments,
    )


def read(path: Path, *, key: str, gateway: str, now: float | None = None) -> Snapshot:
    """The usable snapshot at ``path``; raises Unusable with the reason otherwise."""
    try:
        raw = read_bytes(path, MAX_INSTRUMENT_CACHE_BYTES)  # `pickle_path: /dev/zero` is not read
    except FileRefused as refused:
        raise Unusable("no cache file yet" if refused.missing else f"unreadable: it {refused}") from None
    snapshot = _decode(raw)
    if snapshot.format != FORMAT or snapshot.nautilus != nautilus_version():
        raise Unusable(_other_version(snapshot.format, snapshot.nautilus))
    if snapshot.key != key:
        raise Unusable("written for other instruments (the spec's instruments section changed)")
    if snapshot.gateway != gateway:
        raise Unusable(f"written through another gateway login (accounts {snapshot.gateway or 'none'})")
    moment = time.time() if now is None else now
    if moment >= snapshot.stale_after:
        raise Unusable(f"stale since {_when(snapshot.stale_after)} (written {_when(snapshot.created)})")
    return snapshot


def write(path: Path, snapshot: Snapshot) -> None:
    """Replace ``path`` atomically (a reader sees the old file or the new one, never a part)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(msgspec.json.encode(snapshot))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _decode(raw: bytes) -> Snapshot:
    try:
        return msgspec.json.decode(raw, type=Snapshot)
    except msgspec.ValidationError as error:
        try:  # a layout of another format version, rather than a damaged file?
            header = msgspec.json.decode(raw, type=Header)
        except msgspec.DecodeError:
            raise Unusable(f"corrupt ({error})") from error
        if header.format != FORMAT:
            raise Unusable(_other_version(header.format, header.nautilus)) from error
        raise Unusable(f"corrupt ({error})") from error
    except msgspec.DecodeError as error:
        raise Unusable(f"corrupt ({error})") from error


def _other_version(file_format: int, nautilus: str) -> str:
    return (
        f"written by another version (cache format {file_format}, nautilus {nautilus or '?'}; "
        f"this is format {FORMAT}, nautilus {nautilus_version()})"
    )


def _when(unix: float) -> str:
    return dt.datetime.fromtimestamp(unix, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@functools.cache
def nautilus_version() -> str:
    return importlib.metadata.version("nautilus_trader")
