"""Benchmark `ibrun validate`, in one interleaved run (2-core machines are noisy: every round
times each command once, so load hits them alike):

- one spec, process start to exit, through the console script `ibrun` (target ≤ 0.15 s median);
- 1,000 specs vs `check-jsonschema --schemafile schemas/ibrun-spec.schema.json` on the same
  files (target: ≥ 5x its throughput; the ratio is taken per round, then the median).

    uv run python bench/validate_bench.py [--rounds 7] [--singles 5] [--files 1000] [--before DIR]

`--before DIR` times another source tree in the same rounds (its `runner` first on PYTHONPATH,
same venv), e.g. main: `git archive main | tar -x -C /tmp/main; ... --before /tmp/main`, and
reports this tree / before as the median of per-round ratios, of wall time and of CPU time (user
+ system of the process: much less sensitive than wall time to what else the machine runs).
ibrun's figure includes its semantic checks (load_id grammar, ports, client ids, ...), which
check-jsonschema does not do. Results are printed and written to bench/RESULTS-validate.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from resource import RUSAGE_CHILDREN, getrusage

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPECS = ["paper.yaml", "multi-client.yaml", "derivatives.yaml", "instruments.yaml", "demo.yaml"]
# Timed as users run it: with bytecode caches written and read.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system) of each timed run, by series name."""


def timed(cmd: list[str], env: dict[str, str] = ENV, name: str = "") -> float:
    usage = getrusage(RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - started
    after = getrusage(RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stdout[-500:]}{proc.stderr[-500:]}")
    CPU.setdefault(name, []).append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
    return elapsed


def make_corpus(directory: Path, count: int) -> None:
    # Variations of the shipped specs: each file differs (trader id) so no cache helps.
    texts = [(ROOT / "specs" / name).read_text() for name in SPECS]
    for i in range(count):
        text = texts[i % len(texts)].replace("version: 1", f"version: 1\ntrader_id: BENCH-{i:05d}", 1)
        text = "\n".join(line for line in text.splitlines() if not line.startswith("trader_id: ") or "BENCH-" in line)
        (directory / f"spec-{i:05d}.yaml").write_text(text + "\n")


Series = dict[str, list[float]]


def measure(rounds: int, singles: int, corpus: Path, before: Path | None) -> Series:
    ibrun = str(BIN / "ibrun")
    checker = shutil.which("check-jsonschema", path=str(BIN))
    if checker is None:
        raise SystemExit("check-jsonschema is missing: uv sync (it is a dev dependency)")
    one_spec = [ibrun, "validate", "specs/paper.yaml"]
    ours = [ibrun, "validate", str(corpus)]
    theirs = [checker, "--schemafile", "schemas/ibrun-spec.schema.json", *sorted(map(str, corpus.glob("*.yaml")))]
    runs = {"one": (one_spec, ENV), "many": (ours, ENV), "check-jsonschema": (theirs, ENV)}
    if before is not None:
        old = {**ENV, "PYTHONPATH": str(before.resolve())}
        runs |= {"before one": (one_spec, old), "before many": (ours, old)}
    for cmd, env in runs.values():
        timed(cmd, env)  # warm-up: bytecode caches, page cache
    series: Series = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (cmd, env) in runs.items():
            series[name] += [timed(cmd, env, name) for _ in range(singles if name.endswith("one") else 1)]
    return series


def report(args: argparse.Namespace, series: Series) -> str:
    singles, ours, theirs = series["one"], series["many"], series["check-jsonschema"]
    ratios = [t / o for o, t in zip(ours, theirs, strict=True)]
    deciles = statistics.quantiles(singles, n=10)
    median_ours, median_theirs = statistics.median(ours), statistics.median(theirs)
    before = f" --before {args.before}" if args.before else ""
    command = (
        f"uv run python bench/validate_bench.py --rounds {args.rounds} --singles {args.singles} "
        f"--files {args.files}{before}"
    )
    lines = [
        "# `ibrun validate` benchmark",
        "",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end; "
        f"{dt.date.today().isoformat()}. Command: `{command}`",
        f"({args.rounds} interleaved rounds, each: {args.singles}x one spec, once ibrun on {args.files} specs, "
        f"once check-jsonschema on them{', and the same for the tree before' if before else ''}).",
        "",
        "| measurement | figure | target |",
        "|---|---|---|",
        f"| `ibrun validate specs/paper.yaml`, process start to exit, median of {len(singles)} | "
        f"{statistics.median(singles):.3f} s (p10 {deciles[0]:.3f}, p90 {deciles[-1]:.3f}) | ≤ 0.15 s |",
        f"| `ibrun validate` {args.files} specs (schema + semantic checks), median | {median_ours:.2f} s "
        f"({args.files / median_ours:.0f} files/s) | |",
        f"| `check-jsonschema --schemafile` same {args.files} files (schema only), median | {median_theirs:.2f} s "
        f"({args.files / median_theirs:.0f} files/s) | |",
        f"| throughput ratio ibrun / check-jsonschema, median of per-round ratios | {statistics.median(ratios):.2f}x "
        f"(lowest {min(ratios):.2f}x) | ≥ 5x |",
    ]
    if before:
        lines += [
            f"| before ({args.before}): one spec, median | {statistics.median(series['before one']):.3f} s | |",
            f"| before: {args.files} specs, median | {statistics.median(series['before many']):.2f} s | |",
            f"| this tree / before, one spec: median per-round ratio, wall (CPU) | {_ratio(series, 'one')} "
            "| ≤ 1 + noise |",
            f"| this tree / before, {args.files} specs: median per-round ratio, wall (CPU) | {_ratio(series, 'many')} "
            "| ≤ 1 + noise |",
        ]
    return "\n".join(lines) + "\n"


def _ratio(series: Series, name: str) -> str:
    """This tree / before, run by run in the same order (each round times both alike)."""
    wall = [a / b for a, b in zip(series[name], series[f"before {name}"], strict=True)]
    cpu = [a / b for a, b in zip(CPU[name], CPU[f"before {name}"], strict=True)]
    return f"{statistics.median(wall):.3f} ({statistics.median(cpu):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--singles", type=int, default=5, help="one-spec runs per round")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--before", type=Path, help="another source tree to time in the same rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(Path(tmp), args.files)
        series = measure(args.rounds, args.singles, Path(tmp), args.before)
    text = report(args, series)
    print(text)
    results = ROOT / "bench" / "RESULTS-validate.md"
    notes = results.read_text().partition("\nNotes")[2] if results.exists() else ""
    results.write_text(text + (f"\nNotes{notes}" if notes else ""))


if __name__ == "__main__":
    main()
