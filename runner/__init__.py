"""ibrun: a declarative runner for NautilusTrader's Interactive Brokers adapter."""

__version__ = "0.1.0"
