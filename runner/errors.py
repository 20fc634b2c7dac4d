"""The one exception tree of ibrun, and the one place that maps it to exit codes.

Every stage raises a subclass of :class:`IbrunError`; the CLI (`runner.cli.app.main`) is the
one place that catches it, prints :func:`user_message` (a traceback only with the global
``--traceback``) and exits with ``error.exit_code``. The README's exit-code table is generated
from :data:`EXIT_CODES` (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SPEC_INVALID = 1
    USAGE = 2
    LIVE_NOT_CONFIRMED = 3
    GATEWAY_UNREACHABLE = 4
    HANDSHAKE_TIMEOUT = 5
    CLIENT_ID_IN_USE = 6
    ACCOUNT_NOT_MANAGED = 7
    IMPORT_FAILED = 8
    INSTRUMENT_NOT_FOUND = 9
    GATEWAY_START_FAILED = 10
    NODE_FAILED = 11
    DOWNLOAD_FAILED = 12
    INSTRUMENTS_UNAVAILABLE = 13
    NOT_READY = 14
    GATEWAY_DIED = 15
    DATABASE_UNAVAILABLE = 16
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value was written: a file (or ``<--set>``/``<env>``), 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def visible(text: str) -> str:
    """`text` with every character a terminal would not show as itself — control characters,
    bidi marks and overrides, zero-width and other format characters, unusual spaces — written
    as `\\xNN`/`\\uNNNN` (newlines kept). A spec may hold them (in a key, a value, a file name);
    a message printed raw would let a right-to-left mark reorder it or an escape sequence
    rewrite the terminal."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == "\n" else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@dataclass(frozen=True, slots=True)
class SpecIssue:
    """One problem found in a spec: where, at which JSON path, and what was expected (the path
    and message as `visible` makes them, for every reporter)."""

    location: Location
    json_path: str
    message: str
    rule: str = "schema"
    severity: str = "error"
    """`error` (the spec is invalid) or `warning` (printed; the spec stays valid, exit 0)."""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "json_path", visible(self.json_path))
        object.__setattr__(self, "message", visible(self.message))

    def __str__(self) -> str:
        level = "" if self.is_error else f"{self.severity}: "
        return f"{visible(str(self.location))}: {self.json_path}: {level}{self.message}"


class IbrunError(Exception):
    """Base of every error ibrun reports to a user; ``str()`` is the user-facing message."""

    exit_code: ExitCode = ExitCode.NODE_FAILED


class UsageError(IbrunError):
    exit_code = ExitCode.USAGE


class SpecInvalid(IbrunError):
    """One or more spec files are invalid; carries every issue found, not just the first."""

    exit_code = ExitCode.SPEC_INVALID

    def __init__(self, issues: list[SpecIssue] | tuple[SpecIssue, ...]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class SecretUnavailable(IbrunError):
    """A secret the spec refers to (`{env: VAR}`, `{file: PATH}`) is not there: a spec problem."""

    exit_code = ExitCode.SPEC_INVALID


class LiveNotConfirmed(IbrunError):
    """A live, writable gateway (by the spec, its port or its managed accounts) without consent."""

    exit_code = ExitCode.LIVE_NOT_CONFIRMED


class GatewayModeConflict(LiveNotConfirmed):
    """A container published on IB's default port of the other trading mode (no consent helps)."""


class GatewayUnreachable(IbrunError):
    exit_code = ExitCode.GATEWAY_UNREACHABLE


class HandshakeTimeout(IbrunError):
    exit_code = ExitCode.HANDSHAKE_TIMEOUT


class ClientIdInUse(IbrunError):
    exit_code = ExitCode.CLIENT_ID_IN_USE


class AccountNotManaged(IbrunError):
    exit_code = ExitCode.ACCOUNT_NOT_MANAGED


class ImportFailed(IbrunError):
    exit_code = ExitCode.IMPORT_FAILED


class InstrumentNotFound(IbrunError):
    exit_code = ExitCode.INSTRUMENT_NOT_FOUND


class GatewayStartFailed(IbrunError):
    exit_code = ExitCode.GATEWAY_START_FAILED


class SimulatorStartError(GatewayStartFailed):
    """A simulator child process did not come up; the message carries the tail of its stderr."""


class SimulatorSetupFailed(UsageError):
    """`ibrun sim` cannot start: its port cannot be bound or a universe file is unreadable/invalid."""


class GatewayDied(IbrunError):
    """The gateway ibrun started (the simulator) died while the node was running."""

    exit_code = ExitCode.GATEWAY_DIED


class NodeFailed(IbrunError):
    exit_code = ExitCode.NODE_FAILED


class DownloadFailed(IbrunError):
    exit_code = ExitCode.DOWNLOAD_FAILED


class InstrumentsUnavailable(IbrunError):
    """The gateway kept failing instrument requests (IB's restart window) until the retries ran out."""

    exit_code = ExitCode.INSTRUMENTS_UNAVAILABLE


class NotReady(IbrunError):
    """`ibrun status`: the node is not ready to trade on live data, or its endpoint does not answer."""

    exit_code = ExitCode.NOT_READY


class DatabaseUnavailable(IbrunError):
    """The Redis server of `node.cache`/`node.message_bus` does not answer or refuses the login
    (nautilus would retry it for minutes, unable to stop, while building the node)."""

    exit_code = ExitCode.DATABASE_UNAVAILABLE


class Interrupted(IbrunError):
    exit_code = ExitCode.INTERRUPTED


EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "success (all specs valid, run finished, download complete)",
    ExitCode.SPEC_INVALID: "a spec is invalid (every problem is listed, file:line:col)",
    ExitCode.USAGE: "usage error: bad option, missing file argument",
    ExitCode.LIVE_NOT_CONFIRMED: (
        "live, writable gateway (by its spec, port or managed accounts) without --confirm-live,"
        " or a container on the other trading mode's port"
    ),
    ExitCode.GATEWAY_UNREACHABLE: "nothing accepts connections at the gateway host:port",
    ExitCode.HANDSHAKE_TIMEOUT: "the gateway accepted the socket but the API handshake timed out",
    ExitCode.CLIENT_ID_IN_USE: "IB error 326: the client id is already connected",
    ExitCode.ACCOUNT_NOT_MANAGED: "exec account_id is not among the gateway's managed accounts",
    ExitCode.IMPORT_FAILED: "a strategy/actor module:Class could not be imported",
    ExitCode.INSTRUMENT_NOT_FOUND: "IB error 200: no security definition for a load_id/contract",
    ExitCode.GATEWAY_START_FAILED: "the docker/simulated gateway failed to start or log in",
    ExitCode.NODE_FAILED: "the TradingNode failed while building or running",
    ExitCode.DOWNLOAD_FAILED: "a historical download failed",
    ExitCode.INSTRUMENTS_UNAVAILABLE: "instruments could not be loaded: the gateway kept failing through every retry",
    ExitCode.NOT_READY: "ibrun status: the node is not ready (or its monitoring endpoint does not answer)",
    ExitCode.GATEWAY_DIED: "the simulated gateway ibrun started died while the node ran (the node was stopped)",
    ExitCode.DATABASE_UNAVAILABLE: "the node's Redis database (cache, message bus) is unreachable or refused the login",
    ExitCode.INTERRUPTED: "interrupted by SIGINT/SIGTERM/SIGHUP (stopped cleanly, nothing left running)",
}


def user_message(error: IbrunError) -> str:
    """How the CLI prints an error: spec problems like `ibrun validate`, the rest as `error: …`."""
    return str(error) if isinstance(error, SpecInvalid) else f"error: {visible(str(error))}"
