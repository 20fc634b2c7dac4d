"""Reading a file a spec names — the spec, a base it extends, an env file, a secret, a universe
file — only when it is a regular file, and only up to a size bound.

`open(path).read()` reads /dev/zero until memory runs out, blocks forever on a FIFO, and fails
on a directory with an error ("Is a directory") that callers used to report as "not found".
Here the file is opened without blocking (a FIFO opens at once), checked with fstat, and read at
most `limit + 1` bytes; every refusal says what the path is. Stdlib only: every room may use it.
"""

from __future__ import annotations

import errno
import os
import stat

# The bounds of the files a spec names: none of them is legitimately larger.
MAX_SPEC_BYTES = 4 * 1024 * 1024  # a spec or a base it extends
MAX_ENV_FILE_BYTES = 1024 * 1024  # --env-file
MAX_SECRET_BYTES = 64 * 1024  # a password, a VNC password, an alert URL
MAX_UNIVERSE_BYTES = 16 * 1024 * 1024  # a simulator universe file
MAX_INSTRUMENT_CACHE_BYTES = 256 * 1024 * 1024  # instruments.pickle_path (option chains are big)

# What a path is when it is not a regular file (by its `st_mode`).
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(ValueError):
    """A file that cannot be read as asked; `str()` is user-facing and starts with a verb phrase
    ("is a directory, not a regular file"), so callers prefix it with the file's role and path.
    `missing` is true when nothing exists at the path; `in_content` when the problem is in what
    the file holds, at `line`/`col` (a byte that is not UTF-8)."""

    def __init__(self, message: str, *, missing: bool = False, at: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.missing = missing
        self.in_content = at is not None
        self.line, self.col = at or (1, 1)


def size_text(limit: int) -> str:
    """`4194304` → `4 MiB`, `65536` → `64 KiB`."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit} bytes"


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a directory", ...); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The content of the regular file at `path`; FileRefused when it is missing, unreadable,
    not a regular file, or larger than `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _open_refused(path, exc) from None
    status = os.fstat(fd)
    kind = kind_of(status.st_mode)
    if kind is not None:
        os.close(fd)
        raise FileRefused(f"is {kind}, not a regular file")
    # Ask for the size fstat says (plus one, to see growth), not the bound: a 4 MiB buffer per
    # spec costs; /proc files say size 0, so for them the bound decides.
    wanted = min(status.st_size, limit) + 1 if status.st_size else limit + 1
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(wanted)
            if len(data) == wanted <= limit:
                data += handle.read(limit + 1 - wanted)
        except OSError as exc:
            raise FileRefused(f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:
        raise FileRefused(f"is larger than {size_text(limit)}")
    return data


def read_text(path: str | os.PathLike[str], limit: int) -> str:
    """`read_bytes` decoded as UTF-8 (a leading BOM is dropped); a bad byte is located."""
    return decode_utf8(read_bytes(path, limit))


def decode_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FileRefused(f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", at=(line, col)) from None


def _open_refused(path: str | os.PathLike[str], exc: OSError) -> FileRefused:
    if exc.errno == errno.ENOENT:
        return FileRefused("does not exist", missing=True)
    if exc.errno == errno.ELOOP:
        return FileRefused("is a symbolic link loop")
    try:  # a socket cannot be opened at all (ENXIO): say what it is
        kind = kind_of(os.stat(path).st_mode)
    except OSError:
        kind = None
    if kind is not None:
        return FileRefused(f"is {kind}, not a regular file")
    return FileRefused(f"cannot be read: {exc.strerror}")
