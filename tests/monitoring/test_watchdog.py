"""The staleness watchdog's decisions, driven by explicit times (no clock, no sleeps)."""

from __future__ import annotations

from runner.monitoring.watchdog import Watch, Watchdog

QUOTES = Watch("SPY.ARCA", "quotes", expected=2.0)
BARS = Watch("SPY.ARCA", "bars", expected=60.0, detail="1-MINUTE-LAST")


def kinds(decisions: list) -> list[tuple[str, str]]:
    return [(d.kind, d.watch.key) for d in decisions]


def test_fresh_while_data_arrives_within_the_window() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    for t in (1.0, 2.5, 4.0, 5.5):
        dog.data(QUOTES.key, t)
        assert dog.evaluate(t + 0.5) == []
    assert [s.state for s in dog.statuses(6.0)] == ["fresh"]


def test_silence_beyond_tolerance_is_stale_once_and_resubscribed() -> None:
    dog = Watchdog(tolerance=1.5, resubscribe_attempts=2)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    assert dog.evaluate(3.9) == []  # 2.9 s silent: within 3 s
    assert kinds(dog.evaluate(4.1)) == [("stale", "SPY.ARCA quotes"), ("resubscribe", "SPY.ARCA quotes")]
    assert dog.evaluate(5.0) == []  # reported once; the next attempt one window later
    assert kinds(dog.evaluate(7.2)) == [("resubscribe", "SPY.ARCA quotes")]
    assert dog.evaluate(11.0) == []  # attempts used up: still stale, no more requests
    status = dog.statuses(11.0)[0]
    assert (status.state, status.resubscribes) == ("stale", 2)


def test_data_after_stale_is_reported_resumed_with_the_whole_silence() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    dog.evaluate(4.5)
    dog.data(QUOTES.key, 6.0)
    [resumed] = dog.evaluate(6.1)
    assert resumed.kind == "resumed" and resumed.silent_for == 5.0
    assert dog.statuses(6.1)[0].state == "fresh"


def test_waiting_for_the_first_data_counts_from_subscription() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(BARS, 100.0)
    assert dog.statuses(150.0)[0].state == "waiting"
    assert kinds(dog.evaluate(191.0))[0] == ("stale", BARS.key)


def test_disconnected_pauses_and_a_reconnect_restarts_every_window() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    dog.connection_lost(2.0)
    assert dog.evaluate(30.0) == []
    assert dog.statuses(30.0)[0].state == "paused"
    dog.connection_restored(30.0)
    assert dog.statuses(30.5)[0].state == "waiting"  # not fresh until it delivers again
    assert dog.evaluate(32.9) == []  # a full window from the reconnect
    assert kinds(dog.evaluate(33.1))[0] == ("stale", QUOTES.key)


def test_market_farm_broken_pauses_until_ok() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    dog.farm_broken("market", 1.5)
    assert dog.evaluate(20.0) == [] and dog.paused
    dog.farm_ok("market", 20.0)
    assert not dog.paused and dog.evaluate(22.0) == []
    assert kinds(dog.evaluate(23.1))[0] == ("stale", QUOTES.key)


def test_a_closed_market_is_never_stale_and_opening_starts_a_window() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    dog.market(QUOTES.key, False, 1.0)
    assert dog.evaluate(1000.0) == []
    assert dog.statuses(1000.0)[0].state == "closed"
    dog.market(QUOTES.key, True, 1000.0)
    assert dog.evaluate(1002.9) == []
    assert kinds(dog.evaluate(1003.1))[0] == ("stale", QUOTES.key)


def test_unknown_market_hours_count_as_open() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.market(QUOTES.key, None, 0.0)
    assert kinds(dog.evaluate(3.1))[0] == ("stale", QUOTES.key)


def test_adding_a_known_subscription_keeps_its_history() -> None:
    dog = Watchdog()
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 5.0)
    dog.add(QUOTES, 10.0)
    assert dog.statuses(6.0)[0].age == 1.0
    assert dog.keys() == {QUOTES.key}


def test_after_a_reconnect_only_new_data_makes_it_fresh_again() -> None:
    dog = Watchdog(tolerance=1.5)
    dog.add(QUOTES, 0.0)
    dog.data(QUOTES.key, 1.0)
    assert dog.statuses(1.5)[0].state == "fresh"
    dog.connection_lost(2.0)
    dog.connection_restored(10.0)
    assert dog.statuses(10.1)[0].state == "waiting"
    dog.data(QUOTES.key, 10.2)
    assert dog.statuses(10.3)[0].state == "fresh"
    dog.farm_broken("market", 11.0)
    dog.farm_ok("market", 12.0)
    assert dog.statuses(12.1)[0].state == "waiting"
