"""`ibrun download`: historical instruments, bars and ticks into a ParquetDataCatalog.

Only `timeutil`, `planner` and `pacer` are importable without nautilus_trader.
"""
