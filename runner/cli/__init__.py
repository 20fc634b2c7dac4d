"""The command line: the console entry, the command table and one module per command."""
