"""The committed JSON schema is the model's, valid 2020-12, and agrees with ibrun on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from runner.loading.yamlfile import YamlError, read_document
from runner.model.schema import SCHEMA_FILE, render_schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / SCHEMA_FILE
CORPUS = Path(__file__).parent / "corpus"


def test_committed_schema_is_up_to_date():
    assert COMMITTED.read_text() == render_schema(), "schema is stale: run `uv run just schemas`"


def test_schema_is_valid_against_its_metaschema():
    schema = json.loads(COMMITTED.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def shipped_specs() -> list[Path]:
    return sorted([*ROOT.glob("specs/*.yaml"), *(CORPUS / "valid").glob("*.yaml")])


@pytest.mark.parametrize("path", shipped_specs(), ids=lambda p: p.name)
def test_schema_accepts_what_ibrun_accepts(path):
    validator = jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text()))
    document, _ = read_document(str(path))
    errors = [e.message for e in validator.iter_errors(document.data)]
    assert errors == []


@pytest.mark.parametrize("name", ["unknown-keys", "wrong-types", "secrets", "missing-version", "bad-strategy"])
def test_schema_rejects_what_the_model_rejects(name):
    validator = jsonschema.Draft202012Validator(json.loads(COMMITTED.read_text()))
    try:
        document, _ = read_document(str(CORPUS / "invalid" / f"{name}.yaml"))
    except YamlError:
        pytest.fail("corpus file should be parseable YAML")
    assert list(validator.iter_errors(document.data))


@pytest.mark.parametrize("path", sorted(ROOT.glob("specs/*.yaml")), ids=lambda p: p.name)
def test_shipped_specs_declare_the_schema_for_editors(path):
    first_line = path.read_text().splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema=../schemas/{SCHEMA_FILE}"
