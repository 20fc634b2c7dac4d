"""`ibrun status` as text: the `/readyz` JSON of a running node as a short report (pure)."""

from __future__ import annotations

from typing import Any

COLUMNS = ("subscription", "state", "age", "within", "received", "resub")


def status_lines(report: dict[str, Any]) -> list[str]:
    verdict = "READY" if report.get("ready") else "NOT READY"
    phase = f"{report.get('phase', '?')}, {report.get('running_seconds', 0):.0f}s"
    lines = [f"{report.get('trader_id', '?')}: {verdict} ({phase})"]
    lines += [f"  - {reason}" for reason in report.get("reasons", [])]
    for client in report.get("clients", []):
        state = "connected" if client["connected"] else f"DISCONNECTED {client.get('down_seconds') or 0:.0f}s"
        who = f"IB client {client['client_id']} ({'+'.join(client['roles'])})"
        lines.append(f"  {who}: {state}, reconnects {client['reconnects']}")
    instruments = report.get("instruments", {})
    missing = instruments.get("missing") or []
    lines.append(
        f"  instruments loaded: {instruments.get('loaded', 0)}"
        + (f", missing: {', '.join(missing)}" if missing else "")
    )
    rows = [COLUMNS, *(_row(sub) for sub in report.get("subscriptions", []))]
    if len(rows) > 1:
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
            lines.append("  " + "  ".join(cells).rstrip())
    orders = report.get("orders") or {}
    if orders:
        lines.append(
            "  orders: " + ", ".join(f"{name.removeprefix('Order')} {count}" for name, count in orders.items())
        )
    return lines


def _row(sub: dict[str, Any]) -> tuple[str, ...]:
    name = f"{sub['instrument']} {sub['kind']}" + (f" {sub['bar']}" if sub.get("bar") else "")
    age = "-" if sub.get("age_seconds") is None else f"{sub['age_seconds']:.1f}s"
    return (
        name,
        sub["state"],
        age,
        f"{sub['stale_after_seconds']:g}s",
        str(sub.get("received", 0)),
        str(sub["resubscribes"]),
    )
