"""Benchmark `ibrun validate`: one spec (target ≤ 0.5 s median wall) and 1,000 specs vs
`check-jsonschema --schemafile schemas/ibrun-spec.schema.json` on the same files (target ≥ 2x).

    uv run python bench/validate_bench.py [--runs 7] [--files 1000]

ibrun's figure includes its semantic checks (load_id grammar, ports, client ids, ...), which
check-jsonschema does not do. Results are printed and written to bench/RESULTS-validate.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPECS = ["paper.yaml", "multi-client.yaml", "derivatives.yaml", "instruments.yaml", "demo.yaml"]


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def make_corpus(directory: Path, count: int) -> None:
    # Variations of the shipped specs: each file differs (trader id, client ids) so no cache helps.
    texts = [(ROOT / "specs" / name).read_text() for name in SPECS]
    for i in range(count):
        text = texts[i % len(texts)].replace("version: 1", f"version: 1\ntrader_id: BENCH-{i:05d}", 1)
        text = "\n".join(line for line in text.splitlines() if not line.startswith("trader_id: ") or "BENCH-" in line)
        (directory / f"spec-{i:05d}.yaml").write_text(text + "\n")


def median_of(runs: int, cmd: list[str]) -> float:
    return statistics.median(timed(cmd) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    ibrun = str(BIN / "ibrun")
    one = median_of(args.runs, [ibrun, "validate", "specs/paper.yaml"])
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        make_corpus(corpus, args.files)
        files = sorted(str(p) for p in corpus.glob("*.yaml"))
        many = median_of(max(3, args.runs // 2), [ibrun, "validate", str(corpus)])
        cj = shutil.which("check-jsonschema", path=str(BIN))
        theirs = median_of(max(3, args.runs // 2), [cj, "--schemafile", "schemas/ibrun-spec.schema.json", *files])
    lines = [
        "# `ibrun validate` benchmark",
        "",
        f"Machine: {os.cpu_count()} cores. Command: `uv run python bench/validate_bench.py --runs {args.runs} "
        f"--files {args.files}`.",
        "",
        "| measurement | median wall | target |",
        "|---|---|---|",
        f"| `ibrun validate specs/paper.yaml` (one spec, process start included) | {one:.3f} s | ≤ 0.5 s |",
        f"| `ibrun validate` {args.files} specs (schema + semantic checks) | {many:.2f} s "
        f"({args.files / many:.0f} files/s) | |",
        f"| `check-jsonschema --schemafile` same {args.files} files (schema only) | {theirs:.2f} s "
        f"({args.files / theirs:.0f} files/s) | |",
        f"| throughput ratio ibrun / check-jsonschema | {theirs / many:.2f}x | ≥ 2x |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "bench" / "RESULTS-validate.md").write_text(report)


if __name__ == "__main__":
    main()
