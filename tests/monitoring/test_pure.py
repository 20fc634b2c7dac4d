"""Trading hours, alert rate limit and redaction, addresses, inline-URL rule, readiness, plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from runner.address import BadAddress, is_loopback, parse_host_port, url_of
from runner.ib.hours import BadTradingHours, parse_trading_hours
from runner.monitoring.alerting import MASK, Alert, RateLimiter, redact, secret_parts
from runner.monitoring.snapshot import ClientState, Snapshot, readiness, to_json
from runner.monitoring.state import LinkWatch
from runner.monitoring.urls import inline_url_problem
from runner.monitoring.watchdog import SubscriptionStatus, Watch

UTC = dt.UTC


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- trading hours --------------------------------------------------------------------------


def test_current_layout_with_closed_days_and_overnight_sessions() -> None:
    hours = parse_trading_hours("20240102:1700-20240103:1600;20240106:CLOSED", "US/Central")
    assert hours.is_open(at(2024, 1, 2, 23, 30)) is True  # 17:30 Chicago on the 2nd
    assert hours.is_open(at(2024, 1, 3, 21, 59)) is True  # 15:59 Chicago
    assert hours.is_open(at(2024, 1, 3, 22, 30)) is False
    assert hours.is_open(at(2024, 1, 6, 15, 0)) is False  # CLOSED
    assert hours.is_open(at(2024, 3, 1, 15, 0)) is None  # not covered: unknown


def test_older_layout_and_2359_means_midnight() -> None:
    hours = parse_trading_hours("20090507:0700-1830,1830-2330;20090508:CLOSED", "US/Eastern")
    assert hours.is_open(at(2009, 5, 7, 22, 40)) is True  # 18:40 New York (EDT)
    assert hours.is_open(at(2009, 5, 7, 10, 0)) is False  # 06:00
    day = parse_trading_hours("20240102:0000-20240102:2359", "UTC")
    assert day.is_open(at(2024, 1, 2, 23, 59, 30)) is True


@pytest.mark.parametrize("text", ["2024-01-02:0930-1600", "20240102:930-1600", "20240102:0930"])
def test_malformed_hours_are_refused(text: str) -> None:
    with pytest.raises(BadTradingHours):
        parse_trading_hours(text, "US/Eastern")


# --- alerts -------------------------------------------------------------------------------


def alert(event: str = "stale_data", subject: str = "SPY.ARCA quotes") -> Alert:
    return Alert(event, subject, "title", "body")


def test_one_alert_per_subject_per_window_then_the_count_of_held_back() -> None:
    limiter = RateLimiter(per_subject=60.0, per_minute=100)
    assert limiter.admit(alert(), 0.0) is not None
    assert limiter.admit(alert(), 10.0) is None
    other = limiter.admit(alert(subject="EUR/USD.IDEALPRO quotes"), 11.0)
    assert other is not None and "(1 more alert held back by the rate limit)" in other.body
    later = limiter.admit(alert(), 61.0)
    assert later is not None and later.body == "body"


def test_per_minute_cap_and_node_stopped_always_goes_out() -> None:
    limiter = RateLimiter(per_subject=0.001, per_minute=3)
    sent = [limiter.admit(alert(subject=f"s{i}"), float(i)) for i in range(5)]
    assert [a is not None for a in sent] == [True, True, True, False, False]
    assert limiter.admit(alert("node_stopped", "node"), 5.0) is not None
    assert limiter.admit(alert(subject="s9"), 61.0) is not None  # the minute has passed


def test_redaction_masks_every_secret_part_of_a_url() -> None:
    url = "tgram://123456789:AAbbCCddEEffGG/987654321"
    text = f"failed to post to {url}: token 123456789:AAbbCCddEEffGG rejected; chat 987654321"
    cleaned = redact(text, secret_parts(url))
    assert "AAbbCCddEEffGG" not in cleaned and "987654321" not in cleaned and MASK in cleaned


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("json://127.0.0.1:8080/alerts", True),
        ("jsons://hooks.example.com/ibrun", True),
        ("slack://TokenA/TokenB/TokenC", False),
        ("tgram://bot/chat", False),
        ("json://user:secret@host/x", False),
        ("json://host/x?token=abc", False),
        ("127.0.0.1:8080", False),
    ],
)
def test_which_urls_may_be_written_inline(url: str, ok: bool) -> None:
    assert (inline_url_problem(url) is None) is ok


# --- addresses ------------------------------------------------------------------------------


def test_listen_addresses() -> None:
    assert parse_host_port("127.0.0.1:9090") == ("127.0.0.1", 9090)
    assert parse_host_port("[::1]:0") == ("::1", 0)
    assert url_of("::1", 80) == "http://[::1]:80"
    assert is_loopback("localhost") and is_loopback("127.0.0.5") and not is_loopback("0.0.0.0")
    for bad in ("9090", ":9090", "host:99999", "host:http"):
        with pytest.raises(BadAddress):
            parse_host_port(bad)


# --- readiness ------------------------------------------------------------------------------


def test_ready_only_when_running_connected_loaded_and_fresh() -> None:
    quotes = Watch("SPY.ARCA", "quotes", 2.0)
    fresh = SubscriptionStatus(quotes, "fresh", 0.5, 3.0, 0)
    good = Snapshot("T-1", "running", 0.0, clients=(ClientState(1, ("data",), True, 0, None),), subscriptions=(fresh,))
    assert readiness(good) == [] and to_json(good)["ready"] is True
    bad = Snapshot(
        "T-1",
        "running",
        0.0,
        clients=(ClientState(1, ("data",), False, 2, 12.0),),
        instruments_missing=("AAPL.NASDAQ",),
        farms_broken=("market",),
        subscriptions=(SubscriptionStatus(quotes, "stale", 9.0, 3.0, 1),),
    )
    reasons = readiness(bad)
    assert reasons == [
        "IB client 1 (data) is disconnected for 12s",
        "instruments not loaded: AAPL.NASDAQ",
        "IB reports the market data farm broken (2103)",
        "SPY.ARCA quotes: stale, no data for 9.0s (expected within 3s)",
    ]
    assert readiness(Snapshot("T-1", "starting", 0.0)) == ["the node is starting"]
    waiting = Snapshot(
        "T-1",
        "running",
        0.0,
        clients=(ClientState(1, ("data",), True, 1, None),),
        subscriptions=(SubscriptionStatus(quotes, "waiting", 4.0, 3.0, 0),),
    )
    assert readiness(waiting) == ["SPY.ARCA quotes: no data yet since it (re)started (expected within 3s)"]


class FakeLink:
    connected = False


def test_link_history_counts_reconnects_after_the_first_connect() -> None:
    link = FakeLink()
    watch = LinkWatch(link)
    assert watch.poll(0.0) is None
    link.connected = True
    assert watch.poll(1.0) is None and watch.reconnects == 0  # the first connect is no reconnect
    link.connected = False
    assert watch.poll(2.0) == "lost" and watch.down_for(5.0) == 3.0
    assert watch.login_overdue(100.0, after=300.0) is False
    assert watch.login_overdue(302.0, after=300.0) is True
    assert watch.login_overdue(400.0, after=300.0) is False  # once per outage
    link.connected = True
    assert watch.poll(402.0) == "restored" and watch.reconnects == 1 and watch.last_outage == 400.0


def test_a_silent_subscription_turns_stale_after_the_first_connect() -> None:
    # The links start disconnected (the node is connecting): the watchdog pauses; the first
    # connect must resume it, or a stream that never delivers would stay `paused`, not stale.
    from runner.monitoring.state import tell_connection
    from runner.monitoring.watchdog import Watchdog

    link = FakeLink()
    watch = LinkWatch(link)
    dog = Watchdog(tolerance=1.5)
    dog.add(Watch("SPY.ARCA", "quotes", 2.0), 0.0)
    watch.poll(0.0)
    tell_connection(dog, [watch], 0.0)
    assert dog.statuses(10.0)[0].state == "paused"
    link.connected = True
    watch.poll(10.0)
    tell_connection(dog, [watch], 10.0)
    assert dog.statuses(12.0)[0].state == "waiting"
    assert dog.statuses(13.1)[0].state == "stale"


# --- the plan from a spec -------------------------------------------------------------------


def test_plan_from_a_spec(tmp_path: Path) -> None:
    from runner.model.parse import parse_spec
    from runner.monitoring.plan import ops_plan

    spec = parse_spec(
        {
            "version": 1,
            "data": {
                "subscriptions": [
                    {"instrument": "SPY.ARCA", "quotes": True, "bars": ["1-MINUTE-LAST"]},
                    {"instrument": "EUR/USD.IDEALPRO", "quotes": True, "depth": 5},
                ]
            },
            "monitoring": {"listen": "127.0.0.1:0", "instruments": {"EUR/USD.IDEALPRO": {"quotes": 1}}},
            "alerts": {
                "destinations": [
                    {"url": "json://127.0.0.1:1/a", "events": ["stale_data"]},
                    {"url": {"file": "hook.txt"}, "name": "ops-slack"},
                ]
            },
        }
    )
    plan = ops_plan(spec, tmp_path)
    assert plan is not None
    assert ops_plan(parse_spec({"version": 1, "monitoring": {"watchdog": False}}), tmp_path) is None
    assert plan.monitoring.listen == ("127.0.0.1", 0)
    assert [(w.key, w.expected) for w in plan.watches] == [
        ("SPY.ARCA quotes", 30.0),
        ("SPY.ARCA bars 1-MINUTE-LAST", 60.0),
        ("EUR/USD.IDEALPRO quotes", 1.0),
        ("EUR/USD.IDEALPRO book", 30.0),
    ]
    first, second = plan.alerts.destinations if plan.alerts else ()
    assert first.name == "#1 (json)" and first.events == {"stale_data"}
    assert second.name == "ops-slack" and second.url is None
    assert second.secret is not None and second.secret.file == str(tmp_path / "hook.txt")
    assert len(second.events) == 8


def test_the_monitor_option_is_validated_like_the_spec_key(tmp_path: Path) -> None:
    from tests.conftest import invoke

    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\n")
    result = invoke("run", str(spec), "--monitor", "0.0.0.0:9464", "--dry-run")
    assert result.exit_code == 1
    assert "<--set>:1:" in result.stderr and "$.monitoring.listen: 0.0.0.0 is not a loopback address" in result.stderr


def test_one_address_parser_for_every_host_port_option() -> None:
    assert parse_host_port("[::1]:4002", port_zero=False) == ("::1", 4002)
    assert parse_host_port("4002", default_host="127.0.0.1") == ("127.0.0.1", 4002)
    assert parse_host_port(":4002", default_host="127.0.0.1") == ("127.0.0.1", 4002)
    assert parse_host_port("gw.internal:4002", default_host="127.0.0.1") == ("gw.internal", 4002)
    bad_ones = [("4002", {}), ("h:0", {"port_zero": False}), ("h:65536", {}), ("h:x", {}), ("[::1:9090", {})]
    for bad, options in bad_ones:
        with pytest.raises(BadAddress):
            parse_host_port(bad, **options)  # type: ignore[arg-type]
