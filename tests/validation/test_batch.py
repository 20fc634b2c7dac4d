"""Many files: the worker pool reports exactly what checking them one by one reports."""

from __future__ import annotations

from pathlib import Path

from runner.loading.options import LoadOptions
from runner.validation import batch

CORPUS = Path(__file__).parent / "corpus"


def test_workers_report_what_one_process_reports(monkeypatch):
    files = [str(p) for p in sorted(CORPUS.glob("*/*.yaml"))]
    monkeypatch.setattr(batch, "PARALLEL_THRESHOLD", 2)
    serial = batch.check_files(files, LoadOptions(), workers=1)
    parallel = batch.check_files(files, LoadOptions(), workers=2)
    assert [(r.path, r.issues) for r in parallel] == [(r.path, r.issues) for r in serial]
    assert any(r.issues for r in serial) and any(r.ok for r in serial)
    assert all(r.spec is None for r in parallel)  # workers send back issues only
