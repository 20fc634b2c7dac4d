"""Click commands, one module per command; runner/cli.py assembles them."""
