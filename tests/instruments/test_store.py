"""The cache file and its key: what makes a file usable, and every reason it is not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from instrument_support import parse_instruments

from runner.compile.compiler import compile_instrument_provider
from runner.instruments import location, store

NOW = 1_800_000_000.0
DAY = 86_400.0
CHAIN = {"secType": "IND", "symbol": "SPX", "exchange": "CBOE", "build_options_chain": True, "max_expiry_days": 30}


def provider(**fields):
    return compile_instrument_provider(parse_instruments(fields))


def key_of(**fields) -> str:
    return location.request_key(location.request_of(provider(**fields)))


def test_key_follows_what_is_asked_not_its_order_or_the_cache_settings() -> None:
    base = key_of(load_ids=["SPY.ARCA", "EUR/USD.IDEALPRO"], contracts=[CHAIN, {"secType": "STK", "symbol": "AAPL"}])
    same = key_of(
        load_ids=["EUR/USD.IDEALPRO", "SPY.ARCA"],
        contracts=[{"secType": "STK", "symbol": "AAPL"}, CHAIN],
        cache_validity_days=3,
        pickle_path="elsewhere.json",
    )
    assert base == same
    assert key_of(load_ids=["SPY.ARCA", "EUR/USD.IDEALPRO"], contracts=[{**CHAIN, "max_expiry_days": 60}]) != base
    assert key_of(load_ids=["SPY.ARCA"], symbology="raw") != key_of(load_ids=["SPY.ARCA"])
    assert key_of(load_ids=["SPY.ARCA"], filter_sec_types=["WAR"]) != key_of(load_ids=["SPY.ARCA"])


def test_policy_off_default_directory_and_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert location.cache_policy(provider(load_ids=["SPY.ARCA"])) is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    days = location.cache_policy(provider(cache_validity_days=3))
    assert days == location.CachePolicy(None, 3)
    file = days.file_for("abc", "DU1")
    assert file.parent == tmp_path / "xdg" / "ibrun" / "instruments" and file.name.startswith("abc-")
    assert days.file_for("abc", "U1") != file  # one file per gateway login
    monkeypatch.chdir(tmp_path)
    own = location.cache_policy(provider(pickle_path="cache/ib.json"))
    assert own == location.CachePolicy(tmp_path / "cache" / "ib.json", location.DEFAULT_VALIDITY_DAYS)


def test_files_for_a_key_cover_every_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    policy = location.CachePolicy(None, 1)
    for login in ("DU1", "U1"):
        store.write(policy.file_for("abc", login), snapshot(gateway=login))
    store.write(policy.file_for("other", "DU1"), snapshot(key="other"))
    assert len(policy.files_for("abc")) == 2


def snapshot(key: str = "k", gateway: str = "DU1", rows: list | None = None, days: int = 1) -> store.Snapshot:
    return store.snapshot_of(key, {"load_ids": []}, gateway, rows or [{"type": "Equity"}], days, now=NOW)


def test_round_trip_and_atomic_write(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "cache.json"
    store.write(path, snapshot())
    assert store.read(path, key="k", gateway="DU1", now=NOW + 10) == snapshot()
    assert [p.name for p in path.parent.iterdir()] == ["cache.json"]  # no partial file left


def test_stale_after_validity_or_first_expiry_of_a_live_instrument() -> None:
    assert snapshot(days=2).stale_after == NOW + 2 * DAY
    expiring = [{"type": "OptionContract", "expiration_ns": int((NOW + 3600) * 1e9)}]
    assert snapshot(rows=expiring).stale_after == NOW + 3600
    expired = [{"type": "FuturesContract", "expiration_ns": int((NOW - DAY) * 1e9)}]  # includeExpired chains
    assert snapshot(rows=expired).stale_after == NOW + DAY


def reason(path: Path, *, key: str = "k", gateway: str = "DU1", now: float = NOW + 10) -> str:
    with pytest.raises(store.Unusable) as caught:
        store.read(path, key=key, gateway=gateway, now=now)
    return str(caught.value)


def test_every_reason_a_file_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    assert reason(path) == "no cache file yet"
    store.write(path, snapshot())
    assert reason(path, key="other").startswith("written for other instruments")
    assert reason(path, gateway="U7").startswith("written through another gateway login (accounts DU1)")
    assert reason(path, now=NOW + DAY).startswith("stale since")
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "nautilus": "1.230.0"}))
    assert "written by another version (cache format 1, nautilus 1.230.0" in reason(path)
    path.write_text(json.dumps({"format": 2, "nautilus": "1.300.0", "entries": {}}))
    assert "written by another version (cache format 2" in reason(path)
    path.write_text(json.dumps(document)[:-40])
    assert reason(path).startswith("corrupt")
    path.write_text(json.dumps({**document, "instruments": "nope"}))
    assert reason(path).startswith("corrupt")
    path.write_bytes(b"\xff\x00garbage")
    assert reason(path).startswith("corrupt")


def test_a_cache_path_that_is_no_regular_file_is_not_read(tmp_path: Path) -> None:
    assert reason(Path("/dev/zero")) == "unreadable: it is a character device, not a regular file"
    assert reason(tmp_path) == "unreadable: it is a directory, not a regular file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without permission")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    store.write(path, snapshot())
    path.chmod(0)
    assert reason(path).startswith("unreadable")
