"""Build ibrun's test gateway image locally (no registry): the host's Python, copied in.

Two images, both cached by a content hash in their tag:
- base: the host's CPython (stdlib without tests/GUI), the shared libraries it and every needed
  extension module link against (found with ldd), and the site-packages that `runner.sim` and
  the stub import (found by importing them in a subprocess and listing `sys.modules`);
- app: base + ibrun's `runner/` package + this folder's entrypoint, re-built when code changes.

Run directly to build and print the tag: `uv run python tests/gateway/image/build.py`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import docker

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REPO = "localhost/ibrun-test-gateway"
STDLIB_SKIP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages"}
# Modules whose import closure the image must hold (the sim may not exist yet: skipped then).
ENTRY_MODULES = ["runner.sim", "runner.sim.__main__", "runner.model", "runner.gateway.probe"]

CLOSURE_SCRIPT = """
import importlib, json, pkgutil, sys
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        try:
            importlib.import_module(info.name)
        except Exception:
            pass
print(json.dumps(sorted({m.__file__ for m in list(sys.modules.values())
                         if getattr(m, "__file__", None)})))
"""


def site_packages_closure() -> list[Path]:
    """Top-level site-packages entries (packages, modules, .libs) the entry modules import."""
    out = subprocess.run(
        [sys.executable, "-c", CLOSURE_SCRIPT, *ENTRY_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    site = Path(sysconfig.get_paths()["purelib"])
    tops: set[Path] = set()
    for file in json.loads(out.strip().splitlines()[-1]):
        path = Path(file)
        if site in path.parents:
            tops.add(site / path.relative_to(site).parts[0])
    for top in list(tops):  # manylinux wheels keep vendored .so files in <name>.libs
        tops.update(site.glob(f"{top.name.split('.')[0]}*.libs"))
    return sorted(tops)


def shared_libraries(binaries: list[Path]) -> set[Path]:
    libs: set[Path] = set()
    for chunk in range(0, len(binaries), 200):
        result = subprocess.run(["ldd", *map(str, binaries[chunk : chunk + 200])], capture_output=True, text=True)
        for line in result.stdout.splitlines():
            parts = line.split()
            if "=>" in parts and len(parts) > parts.index("=>") + 1:
                target = parts[parts.index("=>") + 1]
                if target.startswith("/"):
                    libs.add(Path(target))
            elif parts and parts[0].startswith("/") and not parts[0].endswith(":"):
                libs.add(Path(parts[0]))  # the dynamic loader itself
    return libs


def stdlib_files(prefix: Path) -> list[Path]:
    stdlib = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    files = [prefix / "bin" / Path(os.path.realpath(sys.executable)).name]
    files += list((prefix / "lib").glob("libpython*.so*"))
    for entry in stdlib.iterdir():
        if entry.name not in STDLIB_SKIP and not entry.name.startswith("config-"):
            files.append(entry)
    return files


def base_context(prefix: Path, packages: list[Path]) -> tuple[bytes, str]:
    python = prefix / "bin" / Path(os.path.realpath(sys.executable)).name
    sos = [python, *prefix.glob("lib/libpython*.so*")]
    for root in [
        prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "lib-dynload",
        *packages,
    ]:
        sos += [p for p in (root.rglob("*.so*") if root.is_dir() else []) if p.is_file()]
    libs = shared_libraries(sos)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        add_text(tar, "Dockerfile", base_dockerfile(python))
        for path in stdlib_files(prefix):
            tar.add(path, arcname=f"rootfs{path}", filter=skip_junk)
        for lib in sorted(libs):
            tar.add(lib.resolve(), arcname=f"rootfs{lib}")
        for package in packages:
            tar.add(package, arcname=f"rootfs/app/site-packages/{package.name}", filter=skip_junk)
        if Path("/usr/share/zoneinfo").is_dir():
            tar.add("/usr/share/zoneinfo", arcname="rootfs/usr/share/zoneinfo")
        add_dir(tar, "rootfs/tmp", 0o1777)
    digest = hashlib.sha256(
        "\n".join([base_dockerfile(python), sys.version, *map(str, [*packages, *sorted(libs)])]).encode()
    ).hexdigest()[:12]
    return buffer.getvalue(), digest


def base_dockerfile(python: Path) -> str:
    return (
        "FROM scratch\nCOPY rootfs/ /\n"
        f"ENV PATH={python.parent}:/usr/bin:/bin PYTHONPATH=/app/site-packages:/app "
        "PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8 PYTHONUTF8=1\n"
        "WORKDIR /app\n"
    )


def app_context(base_tag: str, python: Path) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    hasher = hashlib.sha256(base_tag.encode())
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        dockerfile = (
            f"FROM {base_tag}\nCOPY app/ /app/\nEXPOSE 4003 4004 5900\n"
            f'ENTRYPOINT ["{python}", "/app/image/entrypoint.py"]\n'
        )
        add_text(tar, "Dockerfile", dockerfile)
        sources = [*sorted((ROOT / "runner").rglob("*.py")), HERE / "entrypoint.py", HERE / "stub_tws.py"]
        for source in sources:
            arc = (
                f"app/runner/{source.relative_to(ROOT / 'runner')}"
                if source.is_relative_to(ROOT / "runner")
                else f"app/image/{source.name}"
            )
            data = source.read_bytes()
            hasher.update(arc.encode() + data)
            add_text(tar, arc, data)
        for data_file in sorted((ROOT / "runner").rglob("*")):
            if data_file.is_file() and data_file.suffix in {".yaml", ".yml", ".json", ".csv"}:
                arc = f"app/runner/{data_file.relative_to(ROOT / 'runner')}"
                data = data_file.read_bytes()
                hasher.update(arc.encode() + data)
                add_text(tar, arc, data)
    return buffer.getvalue(), hasher.hexdigest()[:12]


def skip_junk(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    name = info.name.rsplit("/", 1)[-1]
    return None if name in {"__pycache__", "tests"} and info.isdir() and "site-packages" not in info.name else info


def add_text(tar: tarfile.TarFile, name: str, data: str | bytes) -> None:
    raw = data.encode() if isinstance(data, str) else data
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(raw))


def add_dir(tar: tarfile.TarFile, name: str, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    tar.addfile(info)


def image_exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_test_image(client: docker.DockerClient) -> str:
    """Build (or find cached) the test gateway image and return its tag."""
    prefix = Path(sys.base_prefix)
    python = prefix / "bin" / Path(os.path.realpath(sys.executable)).name
    context, digest = base_context(prefix, site_packages_closure())
    base_tag = f"{REPO}-base:{digest}"
    if not image_exists(client, base_tag):
        client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=base_tag, rm=True)
    context, digest = app_context(base_tag, python)
    tag = f"{REPO}:{digest}"
    if not image_exists(client, tag):
        client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=tag, rm=True)
    client.images.get(tag).tag(REPO, "latest")
    return tag


if __name__ == "__main__":
    print(ensure_test_image(docker.DockerClient(base_url=os.environ.get("DOCKER_HOST", "unix:///tmp/podman-dev.sock"))))
