"""The Redis servers of `node.cache` and `node.message_bus`: checked before anything starts.

nautilus connects to them while the TradingNode is constructed, retrying a refused connection or
a wrong password for minutes (`number_of_retries` 100) inside native code that does not return
to Python, so the process cannot even be stopped by SIGTERM. ibrun asks each server first — a
connection, the login, `PING`, the server's version — with a short timeout, and stops with a
clear error (exit 16) instead. A dry run, which connects nothing, builds its node without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from runner.compile.build import Secret, SecretReader
from runner.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from runner.model.node import Node
    from runner.model.state import Database

# Default seconds to wait for the connection and each reply (the spec's timeouts win).
PREFLIGHT_TIMEOUT = 5.0
# nautilus: "requires Redis version 6.2 or higher for correct operation (streams)".
MINIMUM_VERSION = (6, 2)


@dataclass(frozen=True)
class DatabaseUse:
    """One section that uses a Redis server."""

    owner: str
    """`node.cache` or `node.message_bus`."""
    database: Database


def databases_of(node: Node) -> list[DatabaseUse]:
    sections = (("node.cache", node.cache), ("node.message_bus", node.message_bus))
    return [DatabaseUse(owner, s.database) for owner, s in sections if s is not None and s.database is not None]


def check_databases(node: Node, read: SecretReader) -> list[str]:
    """Connect, log in and PING each server; the `redis_version` of each. Raises DatabaseUnavailable."""
    return [_check(use, read) for use in databases_of(node)]


def _check(use: DatabaseUse, read: SecretReader) -> str:
    import redis  # only a spec with a database pays for the client

    database = use.database
    host, port = database.server
    password = None
    if database.password is not None:
        ref = database.password
        password = read(Secret(ref.env, ref.file, f"{use.owner}.database.password"))
    where = f"{use.owner}.database: Redis at {host}:{port}"
    client = redis.Redis(
        host=host,
        port=port,
        username=database.username,
        password=password,
        ssl=bool(database.ssl),
        socket_connect_timeout=database.connection_timeout or PREFLIGHT_TIMEOUT,
        socket_timeout=database.response_timeout or PREFLIGHT_TIMEOUT,
        retry_on_timeout=False,
        protocol=2,  # RESP2, as nautilus speaks it: a missing password is NOAUTH, not a HELLO error
    )
    try:
        client.ping()
        version = str(client.info("server").get("redis_version", "0"))
    except redis.AuthenticationError as error:
        if password is None:
            raise DatabaseUnavailable(f"{where} wants a password: set {use.owner}.database.password") from None
        raise DatabaseUnavailable(f"{where} refused the login: {error}") from None
    except redis.ResponseError as error:
        raise DatabaseUnavailable(f"{where} refused the connection: {error}") from None
    except (redis.ConnectionError, redis.TimeoutError) as error:
        raise DatabaseUnavailable(f"{where} does not answer: {error} (is redis-server running there?)") from None
    finally:
        client.close()
    if _version(version) < MINIMUM_VERSION:
        raise DatabaseUnavailable(f"{where} runs Redis {version}; nautilus needs 6.2 or later (streams)")
    return version


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return (0,)


def without_databases(config: Any) -> Any:
    """The TradingNodeConfig with no cache or message bus database (a dry run connects nothing)."""
    replaced = {}
    for name in ("cache", "message_bus"):
        section = getattr(config, name)
        if section is not None and section.database is not None:
            replaced[name] = msgspec.structs.replace(section, database=None)
    return msgspec.structs.replace(config, **replaced) if replaced else config
