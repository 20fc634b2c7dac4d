"""Local test images for the fleet engine tests (nothing is pulled: no registry here).

- node: a `FROM scratch` image holding only the shared libraries the host's Python and the
  project's virtual environment link against, a non-root user and the node image's contract
  (ENTRYPOINT ibrun, /var/lib/ibrun writable, ibrun on PATH). The Python installation and the
  project (with its .venv) are bind-mounted read-only at run time at their host paths
  (`node_mounts`), so the image needs no package of its own;
- redis: Debian's `redis-server` and `redis-cli` with their libraries, entrypoint redis-server
  (flags are passed as to the official image).
Both are cached by a content hash in their tag.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sys
import tarfile
from pathlib import Path
from typing import Any

from tests.gateway.image.build import add_dir, add_text, image_exists, shared_libraries

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
PYTHON_HOME = Path(os.path.realpath(sys.executable)).parents[1]
NODE_REPO = "localhost/ibrun-test-node"
REDIS_REPO = "localhost/ibrun-test-redis"
NODE_UID = 10001


def node_mounts() -> list[Path]:
    """What a node container needs mounted read-only at the same path: Python and the project."""
    return [PYTHON_HOME, ROOT] if VENV.is_relative_to(ROOT) else [PYTHON_HOME, ROOT, VENV]


def _binaries() -> list[Path]:
    python = Path(os.path.realpath(sys.executable))
    found = [python, *PYTHON_HOME.glob("lib/libpython*.so*")]
    for root in (PYTHON_HOME / "lib", VENV / "lib"):
        found += [p for p in root.rglob("*.so*") if p.is_file() and "/test" not in str(p)]
    return found


def _owned_dir(tar: tarfile.TarFile, name: str, uid: int) -> None:
    info = tarfile.TarInfo(f"rootfs{name}")
    info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, uid, uid
    tar.addfile(info)


def _build(client: Any, repo: str, files: dict[str, bytes | Path], dockerfile: str, home: str, uid: int) -> str:
    digest = hashlib.sha256(f"{dockerfile}{home}{uid}".encode())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        add_text(tar, "Dockerfile", dockerfile)
        add_dir(tar, "rootfs/tmp", 0o1777)
        _owned_dir(tar, home, uid)
        for name, source in sorted(files.items()):
            digest.update(name.encode())
            if isinstance(source, Path):
                digest.update(str(source.stat().st_size).encode())
                tar.add(source, arcname=f"rootfs{name}")
            else:
                digest.update(source)
                add_text(tar, f"rootfs{name}", source)
    tag = f"{repo}:{digest.hexdigest()[:12]}"
    if not image_exists(client, tag):
        client.images.build(fileobj=io.BytesIO(buffer.getvalue()), custom_context=True, tag=tag, rm=True)
    return tag


def _libraries(binaries: list[Path]) -> dict[str, bytes | Path]:
    mounted = node_mounts()
    return {
        str(lib): lib.resolve()
        for lib in sorted(shared_libraries(binaries))
        if not any(lib.is_relative_to(root) for root in mounted)
    }


def ensure_node_image(client: Any) -> str:
    files = _libraries(_binaries())
    files["/etc/passwd"] = (
        f"root:x:0:0::/root:/bin/false\nibrun:x:{NODE_UID}:{NODE_UID}::/var/lib/ibrun:/bin/false\n".encode()
    )
    files["/etc/group"] = f"root:x:0:\nibrun:x:{NODE_UID}:\n".encode()
    dockerfile = (
        "FROM scratch\nCOPY rootfs/ /\n"
        f"ENV PATH={VENV}/bin:/usr/bin:/bin PYTHONUNBUFFERED=1 LANG=C.UTF-8 "
        "XDG_CACHE_HOME=/var/lib/ibrun/cache\n"
        f"USER {NODE_UID}:{NODE_UID}\nWORKDIR /var/lib/ibrun\nEXPOSE 9464\n"
        f'ENTRYPOINT ["{VENV}/bin/ibrun"]\nCMD ["--help"]\n'
    )
    return _build(client, NODE_REPO, files, dockerfile, "/var/lib/ibrun", NODE_UID)


def ensure_redis_image(client: Any) -> str:
    binaries = [Path(shutil.which(name) or f"/usr/bin/{name}") for name in ("redis-server", "redis-cli")]
    files = _libraries(binaries)
    files.update({f"/usr/bin/{binary.name}": binary.resolve() for binary in binaries})
    dockerfile = 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/bin\nENTRYPOINT ["/usr/bin/redis-server"]\n'
    return _build(client, REDIS_REPO, files, dockerfile, "/data", 0)
