"""Gateway credentials: resolved from the environment or files the spec names, never echoed.

The password reaches the container only as a read-only mounted file (TWS_PASSWORD_FILE), so
it is absent from the container's environment and from `docker inspect`. A password taken
from an environment variable is written to a private directory in /dev/shm (memory, not disk);
a password file named in the spec is mounted as it is.

A written file never outlives its need: the process starting the container holds a lock on its
directory (:func:`claimed`) until the API answers, and then removes it (the login has read it)
unless a restart policy may start the container again; every stop removes it; and a directory
whose lock nobody holds and whose container is gone (ibrun was killed while starting, or the
container was removed by hand) is swept by the next gateway command (:func:`sweep`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.errors import GatewayStartFailed
from runner.loading.files import MAX_SECRET_BYTES, FileRefused, read_text
from runner.model.gateway import SecretRef

SECRETS_ROOT = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
PREFIX = "ibrun-"
OWNER = ".owner"
"""The lock file in a secret directory: held (flock) by the process starting its container."""


def describe(ref: SecretRef) -> str:
    """Where a secret comes from, for error messages (the reference, never the value)."""
    return f"environment variable {ref.env}" if ref.env else f"file {ref.file}"


def resolve_secret(ref: SecretRef, base_dir: Path, what: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret's value; GatewayStartFailed naming where it was looked for if absent."""
    environ = os.environ if environ is None else environ
    if ref.env:
        value = environ.get(ref.env)
        if not value:
            raise GatewayStartFailed(f"the gateway {what} is not set: {describe(ref)} is empty")
        return value
    path = secret_path(ref, base_dir)
    try:
        value = read_text(path, MAX_SECRET_BYTES).rstrip("\r\n")
    except FileRefused as exc:
        problem = "is not valid UTF-8" if exc.in_content else str(exc)  # never where: a byte of it
        raise GatewayStartFailed(f"cannot read the gateway {what} from {path}: it {problem}") from None
    if not value:
        raise GatewayStartFailed(f"the gateway {what} file {path} is empty")
    return value


def secret_path(ref: SecretRef, base_dir: Path) -> Path:
    assert ref.file is not None
    return (base_dir / os.path.expanduser(ref.file)).resolve()


@dataclass(frozen=True)
class MountedSecret:
    """A secret as a host file to bind-mount read-only; `owned` files are ibrun's to delete."""

    host_path: Path
    owned: bool


def secret_dir(container_name: str) -> Path:
    return SECRETS_ROOT / f"{PREFIX}{container_name}"


@contextlib.contextmanager
def claimed(container_name: str) -> Iterator[Path]:
    """Hold the container's secret directory (created if needed) against :func:`sweep`.

    The lock is an flock on the directory's owner file, so it ends with the process however that
    ends (a SIGKILL included). A sweep may remove the directory between its creation and the
    lock; then the owner file locked is no longer the one in place, and the claim starts over.
    """
    directory = secret_dir(container_name)
    while True:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # only root (the engine) can reach the files through the dir
        try:
            fd = os.open(directory / OWNER, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:
            continue  # swept just now
        fcntl.flock(fd, fcntl.LOCK_EX)  # another start of the same container: wait for it
        if _same_file(fd, directory / OWNER):
            break
        os.close(fd)
    try:
        yield directory
    finally:
        os.close(fd)


def sweep(container_exists: Callable[[str], bool]) -> list[str]:
    """Remove the secret directories nobody is starting a container for and whose container is
    gone; return the container names they belonged to."""
    swept = []
    for directory in sorted(SECRETS_ROOT.glob(f"{PREFIX}*")):
        name = directory.name.removeprefix(PREFIX)
        if directory.is_dir() and _sweep_one(directory, name, container_exists):
            swept.append(name)
    return swept


def _sweep_one(directory: Path, name: str, container_exists: Callable[[str], bool]) -> bool:
    try:
        fd = os.open(directory / OWNER, os.O_RDWR)
    except FileNotFoundError:
        fd = None  # written before owner files existed, or a claim that has just begun (it retries)
    except OSError:
        return False
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a live process is starting its container
        if container_exists(name):
            return False  # it may need the files again (a restart policy): they go with it
        shutil.rmtree(directory, ignore_errors=True)
        return True
    finally:
        if fd is not None:
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def mount_secret(ref: SecretRef, base_dir: Path, container_name: str, name: str, value: str) -> MountedSecret:
    """A host file holding the secret, ready to mount: the spec's own file, or one we write
    (inside :func:`claimed`)."""
    if ref.file:
        return MountedSecret(secret_path(ref, base_dir), owned=False)
    directory = secret_dir(container_name)  # made (and locked) by `claimed`
    target = directory / name
    # 0o644 inside a 0o700 directory: the image reads it as a non-root user (uid 1000 in
    # gnzsnz/ib-gateway), while no other host user can traverse the directory.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    os.chmod(target, 0o644)
    return MountedSecret(target, owned=True)


def remove_secrets(container_name: str) -> None:
    shutil.rmtree(secret_dir(container_name), ignore_errors=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Defense in depth for text we print from elsewhere (container logs, engine errors)."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
