"""Stage 1-2: read spec files into plain data with source positions; interpolate; merge."""
