"""Facts about Interactive Brokers with no dependencies: symbology, exchanges, bar specs, pacing, times."""
