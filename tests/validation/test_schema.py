"""The committed JSON schema is the model's, valid 2020-12, and agrees with ibrun on the corpus; the
committed core schema is the model's too, and validates as pydantic does."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import TypeAdapter
from pydantic_core import ValidationError

from runner.loading.yamlfile import YamlError, read_document
from runner.model import Spec
from runner.model.parse import CORE_SCHEMA_FILE, parse_spec
from runner.model.schema import SCHEMA_FILE, render_core_schema, render_schema

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


def test_committed_core_schema_is_up_to_date():
    committed = Path(CORE_SCHEMA_FILE).read_text()
    assert committed == render_core_schema(), "core schema is stale: run `uv run just schemas`"


def yaml_mappings() -> list[Path]:
    """Shipped and corpus specs that are YAML mappings (some invalid ones are not even YAML)."""
    paths = [*shipped_specs(), *sorted((CORPUS / "invalid").glob("*.yaml"))]
    readable = []
    for path in paths:
        try:
            read_document(str(path))
        except YamlError:
            continue
        readable.append(path)
    return readable


@pytest.mark.parametrize("path", yaml_mappings(), ids=lambda p: p.name)
def test_the_stored_validator_is_pydantics(path):
    # The stored core schema drops what validation does not use (metadata, serialization): the
    # stored validator and pydantic's own must agree on every spec and every error.
    data = read_document(str(path))[0].data
    outcomes = []
    for validate in (parse_spec, TypeAdapter(Spec).validate_python):
        try:
            outcomes.append(validate(data))
        except ValidationError as exc:
            outcomes.append(exc.errors(include_url=False, include_context=False))  # ctx holds exceptions
    assert outcomes[0] == outcomes[1]


def test_the_schema_does_not_depend_on_which_section_was_resolved_first() -> None:
    # Annotations are resolved lazily and typing caches `Literal[...] | None` by the literal's
    # value set: two spellings of one choice in different orders made the schema follow whichever
    # section a process happened to resolve first (seen when tests ran in another order).
    import subprocess
    import sys

    script = (
        "import typing\n"
        "from runner.model.state import MessageBus\n"
        "typing.get_type_hints(MessageBus)\n"
        "from runner.model.schema import render_schema\n"
        "print(render_schema(), end='')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout == COMMITTED.read_text()
