"""Many files: the worker pool reports exactly what checking them one by one reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
# In a fresh interpreter: forking this (multi-threaded) pytest process could deadlock a worker.
PROBE = """
import json, sys
from runner.loading.options import LoadOptions
from runner.validation import batch
batch.PARALLEL_THRESHOLD = 2
files = sys.argv[1:]
runs = [batch.check_files(files, LoadOptions(), workers=n) for n in (1, 2)]
print(json.dumps([[[r.path, [str(i) for i in r.issues], r.spec is None] for r in run] for run in runs]))
"""


def test_workers_report_what_one_process_reports():
    files = [str(p) for p in sorted(CORPUS.glob("*/*.yaml"))]
    result = subprocess.run([sys.executable, "-c", PROBE, *files], capture_output=True, text=True, check=True)
    serial, parallel = json.loads(result.stdout)
    assert [r[:2] for r in parallel] == [r[:2] for r in serial]
    assert any(r[1] for r in serial) and any(not r[1] for r in serial)
    assert all(spec_dropped for *_, spec_dropped in parallel)  # workers send back issues only
