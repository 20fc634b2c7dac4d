"""Gateway credentials: resolved from the environment or files the spec names, never echoed.

The password reaches the container only as a read-only mounted file (TWS_PASSWORD_FILE), so
it is absent from the container's environment and from `docker inspect`. A password taken
from an environment variable is written to a private directory in /dev/shm (memory, not disk)
for the container's lifetime; a password file named in the spec is mounted as it is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.errors import GatewayStartFailed
from runner.loading.files import MAX_SECRET_BYTES, FileRefused, read_text
from runner.model.gateway import SecretRef

SECRETS_ROOT = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


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
    return SECRETS_ROOT / f"ibrun-{container_name}"


def mount_secret(ref: SecretRef, base_dir: Path, container_name: str, name: str, value: str) -> MountedSecret:
    """A host file holding the secret, ready to mount: the spec's own file, or one we write."""
    if ref.file:
        return MountedSecret(secret_path(ref, base_dir), owned=False)
    directory = secret_dir(container_name)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # only root (the engine) can reach the file through the dir
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
