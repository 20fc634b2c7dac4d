"""prometheus-client, Apprise and http.server stay off the validate path (imported by the run)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SPEC = """\
    version: 1
    monitoring: {listen: 127.0.0.1:9464}
    alerts:
      destinations: [{url: {env: IBRUN_HOOK}}]
"""
PROBE = """\
import sys
from runner.cli.app import main
try:
    main(["validate", sys.argv[1]])
except SystemExit as exit_:
    assert exit_.code in (0, None), exit_.code
heavy = sorted(m for m in ("prometheus_client", "apprise", "http.server", "nautilus_trader") if m in sys.modules)
print("HEAVY", heavy)
"""


def test_validating_a_monitored_spec_imports_nothing_of_the_run(tmp_path: Path) -> None:
    spec = tmp_path / "mon.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    result = subprocess.run([sys.executable, "-c", PROBE, str(spec)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout, result.stdout
