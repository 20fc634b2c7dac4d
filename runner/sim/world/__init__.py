"""The simulated world: instruments, prices, history, orders, accounts and pacing state.

It knows nothing of the wire: nothing here imports `runner.sim.protocol` or `runner.sim.handlers`.
Order changes leave as events (`events.py`); the handlers encode them.
"""
