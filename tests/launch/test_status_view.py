"""The live TTY view fits the terminal; the summary shortens long lists; colours only on a TTY."""

from __future__ import annotations

from runner.launch.status import fit_table, listed, summary_lines
from runner.launch.summary import RunSummary
from runner.monitoring.stats import InstrumentStats

PRICES = {
    "ESZ6.CME": InstrumentStats(quotes=5, book=123_456, bid="6010.25", ask="6010.50", last="6010.375"),
    "EUR/USD.IDEALPRO": InstrumentStats(quotes=1_234_567, bid="1.08765", ask="1.08770", last="1.087675"),
    "SPY   261218C00600000.SMART": InstrumentStats(quotes=5, bid="12.35", ask="12.40", last="12.375"),
}


def test_the_table_fits_80_columns_without_cutting_a_price() -> None:
    lines = fit_table(PRICES, 80)
    assert all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    for stats in PRICES.values():
        assert stats.bid in text and stats.ask in text and stats.last in text
    assert "trades" not in lines[0] and "bars" not in lines[0]  # all zero: left out
    assert "1235k" in text and "123k" in text
    narrow = fit_table(PRICES, 60)
    assert all(len(line) <= 60 for line in narrow) and "SPY   261218C0060…" in "\n".join(narrow)


def test_many_instruments_are_counted_not_listed() -> None:
    names = [f"SPY   2612{i:02d}C00600000.SMART" for i in range(40)]
    assert listed(names[:3]) == ", ".join(names[:3])
    assert listed(names).endswith(", ... and 30 more")
    summary = RunSummary("T-1", "sim", instruments=names, stats={name: InstrumentStats(quotes=1) for name in names})
    lines = summary_lines(summary)
    assert lines[2].startswith("  instruments loaded: 40 (") and lines[2].endswith("... and 30 more)")
    assert "    ... and 10 more instruments" in lines


def test_console_colours_only_on_a_terminal() -> None:
    from nautilus_trader.config import LoggingConfig, TradingNodeConfig

    from runner.launch.node import colours_for

    config = TradingNodeConfig(logging=LoggingConfig(log_colors=True))
    assert colours_for(config, tty=False).logging.log_colors is False
    assert colours_for(config, tty=True).logging.log_colors is True
