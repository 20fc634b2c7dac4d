"""Helpers for download tests: write specs, read a catalog back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml


@pytest.fixture
def write_spec(tmp_path: Path):
    def write(data: dict, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


def bars(catalog: Path, bar_type: str) -> list:
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    return ParquetDataCatalog(str(catalog)).bars(bar_types=[bar_type])


def trade_ticks(catalog: Path, instrument_id: str) -> list:
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    return ParquetDataCatalog(str(catalog)).trade_ticks(instrument_ids=[instrument_id])
