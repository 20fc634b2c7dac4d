"""SIGINT/SIGTERM at random moments of `ibrun run`: every run must end with exit 130 (or 0 when it
had finished first), no traceback, and nothing left running (tests/launch covers each phase once,
deterministically; this samples the moments in between).

    uv run python bench/run_signals.py [--runs 30] [--window 3.0] [--seed 1]

Each run starts `ibrun run SPEC --duration 1` on a simulated-gateway spec in its own session,
sends SIGINT or SIGTERM after a uniformly random delay in [0, window) seconds, and checks the exit
status, stderr and the process group in /proc. Prints one line per run and the number of bad runs.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.launch.helpers import kill_group, wait_group_gone  # noqa: E402

SPEC = """\
version: 1
trader_id: SIGNALS-001
gateway:
  simulated: {tick_interval_ms: 100}
instruments:
  load_ids: [SPY.ARCA, EUR/USD.IDEALPRO]
data:
  subscriptions:
    - {instrument: SPY.ARCA, quotes: true}
node:
  timeouts: {connection: 20.0, disconnection: 3.0, post_stop: 0.5}
"""
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(spec: Path, delay: float, sig: signal.Signals) -> tuple[bool, str]:
    ibrun = str(Path(sys.executable).parent / "ibrun")
    process = subprocess.Popen(
        [ibrun, "run", str(spec), "--duration", "1", "--no-status"],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(delay)
    process.send_signal(sig)
    try:
        _out, err = process.communicate(timeout=30)
    finally:
        kill_group(process.pid)
    left = wait_group_gone(process.pid)
    ok = process.returncode in (0, 130) and "Traceback" not in err and not left
    last = err.strip().splitlines()[-1] if err.strip() else ""
    line = f"{sig.name:7} at {delay:.2f}s: exit {process.returncode}, left {left}: {last[:100]}"
    return ok, line if ok else f"{line}\n{err[-3000:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--window", type=float, default=3.0, help="Signal within [0, WINDOW) s of spawn.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "signals.yaml"
        spec.write_text(SPEC)
        for index in range(args.runs):
            delay = chance.uniform(0, args.window)
            ok, line = one_run(spec, delay, chance.choice([signal.SIGINT, signal.SIGTERM]))
            bad += not ok
            print(f"{index:3} {'ok ' if ok else 'BAD'} {line}", flush=True)
    print(f"bad runs: {bad} of {args.runs}")


if __name__ == "__main__":
    main()
