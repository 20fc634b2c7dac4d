"""`HOST:PORT` listen addresses of the monitoring server (pure: shared by validation and the run)."""

from __future__ import annotations

import ipaddress


class BadAddress(ValueError):
    pass


def parse_listen(text: str) -> tuple[str, int]:
    """`127.0.0.1:9090`, `[::1]:9090`, `localhost:0` → (host, port); BadAddress otherwise."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not host:
        raise BadAddress(f"expected HOST:PORT (e.g. 127.0.0.1:9090), got {text!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise BadAddress(f"port must be a number from 0 to 65535, got {port_text!r}")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
