"""`ibrun status SPEC|URL`: ask a running node's monitoring endpoint whether it is ready.

Prints the node's readiness report; exits 0 when ready and 14 when not (or when nothing answers),
so it works as a container healthcheck: `HEALTHCHECK CMD ibrun status http://127.0.0.1:9090`.
Only the standard library's HTTP client is used: a healthcheck runs often and must start fast.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import click

from runner.address import url_of
from runner.cli.options import load_options, spec_options
from runner.errors import NotReady, UsageError


@click.command("status")
@click.argument("target", metavar="SPEC|URL")
@spec_options
@click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds to wait.")
@click.option("--json", "as_json", is_flag=True, help="Print the /readyz JSON as it is.")
def status_command(target: str, sets: tuple[str, ...], env_file: Path | None, timeout: float, as_json: bool) -> None:
    """Print whether the node of SPEC (its monitoring.listen) or at URL is ready; exit 0 if so, 14 if not."""
    from runner.monitoring.table import status_lines

    base = target.rstrip("/") if target.startswith(("http://", "https://")) else _spec_url(Path(target), sets, env_file)
    report = _fetch(base.removesuffix("/readyz") + "/readyz", timeout)
    click.echo(json.dumps(report, indent=1) if as_json else "\n".join(status_lines(report)))
    if not report.get("ready"):
        raise NotReady(f"{report.get('trader_id', 'the node')} is not ready: " + "; ".join(report.get("reasons", [])))


def _spec_url(path: Path, sets: tuple[str, ...], env_file: Path | None) -> str:
    from runner.address import parse_host_port
    from runner.validation.pipeline import load_spec

    if not path.is_file():
        raise UsageError(f"{path}: no such spec file (or give the URL, e.g. http://127.0.0.1:9090)")
    spec = load_spec(path, load_options(sets, env_file)).spec
    if spec.monitoring.listen is None:
        raise UsageError(f"{path}: monitoring.listen is not set, so the node serves no status (or give the URL)")
    host, port = parse_host_port(spec.monitoring.listen)
    if port == 0:
        raise UsageError(f"{path}: monitoring.listen uses port 0 (a free port, printed by ibrun run): give that URL")
    return url_of("127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host, port)


def _fetch(url: str, timeout: float) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as error:  # 503: not ready, with the same JSON body
        body = error.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise NotReady(f"cannot reach {url}: {reason}") from None
    try:
        report = json.loads(body)
    except ValueError:
        raise NotReady(f"{url} did not answer with ibrun's readiness JSON") from None
    if not isinstance(report, dict) or "ready" not in report:
        raise NotReady(f"{url} did not answer with ibrun's readiness JSON")
    return report
