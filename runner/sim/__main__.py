"""`python -m runner.sim ...` is `ibrun sim ...` (the launcher starts the simulator this way)."""

import sys

from runner.cli.app import main

if __name__ == "__main__":
    main(["sim", *sys.argv[1:]])
