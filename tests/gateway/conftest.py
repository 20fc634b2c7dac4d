"""Fixtures of the gateway tests: a podman engine, the test gateway image, specs for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.engine_fixture import PodmanService, podman_available

TEST_USER = "ibrun-test-user"
TEST_PASSWORD = "pw-7Hq2-never-printed-Zx9"  # distinctive, so a leak is found by grep


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = podman_available()
    if reason:
        pytest.skip(reason)
    service = PodmanService()
    service.start()
    import docker

    client = docker.DockerClient(base_url=service.url, timeout=60)
    # The engine's containers are shared with whoever else runs tests on this machine: remove only
    # those of this checkout's specs and this session's temporary ones.
    ours = (str(ROOT), str(tmp_path_factory.getbasetemp()))
    try:
        yield client
    finally:
        for container in client.containers.list(all=True, filters={"label": "ibrun.managed"}):
            if (container.labels or {}).get("ibrun.spec", "").startswith(ours):
                container.remove(force=True)
        client.close()
        service.stop()


@pytest.fixture(scope="session")
def test_image(engine: Any) -> str:
    from tests.gateway.image.build import ensure_test_image

    return ensure_test_image(engine)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("IBRUN_TEST_TWS_USERNAME", TEST_USER)
    monkeypatch.setenv("IBRUN_TEST_TWS_PASSWORD", TEST_PASSWORD)
    return TEST_USER, TEST_PASSWORD


@pytest.fixture
def write_spec(tmp_path: Path, test_image: str, credentials: tuple[str, str]) -> Any:
    """write_spec(name, timeout=..., env={...}, extra_docker="keep: true", image=..., trading_mode=...,
    read_only_api=..., extra="exec: ...") -> LoadedSpec."""
    from runner.validation.pipeline import load_spec

    def write(
        name: str = "gw",
        *,
        timeout: int = 30,
        env: dict[str, str] | None = None,
        extra_docker: str = "keep: false",
        image: str | None = None,
        trading_mode: str = "paper",
        read_only_api: bool | None = None,
        extra: str = "",
    ) -> Any:
        env_map = ", ".join(f"{key}: '{value}'" for key, value in (env or {}).items())
        lines = [
            "version: 1",
            "trader_id: GWTEST-001",
            "gateway:",
            f"  trading_mode: {trading_mode}",
            *([f"  read_only_api: {str(read_only_api).lower()}"] if read_only_api is not None else []),
            "  docker:",
            f"    image: {image or test_image}",
            f"    timeout: {timeout}",
            "    username: {env: IBRUN_TEST_TWS_USERNAME}",
            "    password: {env: IBRUN_TEST_TWS_PASSWORD}",
            f"    {extra_docker}",
            f"    env: {{{env_map}}}",
            extra,
        ]
        path = tmp_path / f"{name}.yaml"
        path.write_text("\n".join(lines) + "\n")
        return load_spec(path)

    return write
