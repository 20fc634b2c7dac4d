"""`HOST:PORT` addresses as users write them (`monitoring.listen`, `--monitor`, `ibrun status`,
`ibrun gateway probe`, `ibrun record`): one parser, IPv6 in brackets (`[::1]:4002`)."""

from __future__ import annotations

import ipaddress


class BadAddress(ValueError):
    pass


def parse_host_port(text: str, *, default_host: str | None = None, port_zero: bool = True) -> tuple[str, int]:
    """`127.0.0.1:9090`, `[::1]:9090`, `localhost:0` → (host, port); BadAddress otherwise.
    With `default_host`, a bare `9090` (or `:9090`) is that host's port; `port_zero`: 0 (a free
    port, for a listener) is allowed."""
    host, sep, port_text = text.rpartition(":")
    if default_host is not None and not host:
        host, port_text = default_host, (port_text if sep else text)
    if not host:
        raise BadAddress(f"expected HOST:PORT (e.g. 127.0.0.1:9090), got {text!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if "[" in host or "]" in host:
        raise BadAddress(f"expected HOST:PORT, an IPv6 address in brackets ([::1]:9090), got {text!r}")
    lowest = 0 if port_zero else 1
    if not port_text.isdigit() or not lowest <= int(port_text) <= 65535:
        raise BadAddress(f"port must be a number from {lowest} to 65535, got {port_text!r}")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_port_text(host: str, port: int) -> str:
    """`127.0.0.1:9090`, `[::1]:9090`: what `parse_host_port` reads back."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def url_of(host: str, port: int) -> str:
    return f"http://{host_port_text(host, port)}"
