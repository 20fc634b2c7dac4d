"""`ibrun run`: launch and supervise the TradingNode of a spec."""

from runner.launch.run import RunOptions, run_spec
from runner.launch.summary import RunSummary

__all__ = ["RunOptions", "RunSummary", "run_spec"]
