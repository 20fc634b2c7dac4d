"""`ibrun validate` stays light: the console entry validates valid and invalid specs without
importing pydantic (its core schema is stored), importlib.metadata, annotated-types or nautilus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "validation" / "corpus"
HEAVY = ("pydantic", "importlib.metadata", "annotated_types", "nautilus_trader", "docker", "redis")


def test_validate_imports_nothing_heavy():
    files = [*sorted((CORPUS / "valid").glob("*.yaml")), *sorted((CORPUS / "invalid").glob("*.yaml"))]
    probe = (
        "import json, sys\n"
        "from runner.cli.entry import main\n"
        "try:\n    main(['validate', *sys.argv[1:]])\n"
        "except SystemExit as exit:\n"
        "    print(json.dumps([exit.code, sorted(sys.modules)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *map(str, files)], capture_output=True, text=True)
    code, modules = json.loads(result.stdout.splitlines()[-1])
    assert code == 1  # every kind of error was reported on the way
    loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []


def test_a_valid_spec_does_not_import_the_fleet_stage_or_difflib():
    """The fleet stage (~8 ms) is for fleet files; difflib (~1 ms) for did-you-mean hints."""
    probe = (
        "import json, sys\n"
        "from runner.cli.entry import main\n"
        "try:\n    main(['validate', sys.argv[1]])\n"
        "except SystemExit as exit:\n"
        "    print(json.dumps([exit.code, sorted(sys.modules)]))\n"
        "else:\n    print(json.dumps([0, sorted(sys.modules)]))\n"
    )
    spec = ROOT / "specs" / "paper.yaml"
    result = subprocess.run([sys.executable, "-c", probe, str(spec)], capture_output=True, text=True)
    code, modules = json.loads(result.stdout.splitlines()[-1])
    assert code in (0, None), result.stderr
    assert "runner.model.fleet" not in modules and "runner.validation.fleet" not in modules
    assert "difflib" not in modules
