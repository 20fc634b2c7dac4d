"""`@section` behaves as `@dataclass(frozen=True, kw_only=True)` does for everything the model
and its users rely on (it shares four methods through `Frozen` to import faster)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from runner.model.base import Frozen, section


def _tags() -> list[str]:
    return ["a"]


@section
class Sectioned(Frozen):
    name: str
    size: int = 1
    tags: list[str] = field(default_factory=_tags)

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("size must not be negative")


@dataclass(frozen=True, kw_only=True)
class Plain:
    name: str
    size: int = 1
    tags: list[str] = field(default_factory=_tags)

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError("size must not be negative")


@pytest.mark.parametrize("kind", [Sectioned, Plain])
def test_construction_defaults_factories_and_post_init(kind: type) -> None:
    first, second = kind(name="x"), kind(name="x")
    assert (first.name, first.size, first.tags) == ("x", 1, ["a"])
    assert first.tags is not second.tags  # a new list each time
    with pytest.raises(ValueError, match="must not be negative"):
        kind(name="x", size=-1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "missing 1 required keyword-only argument: 'name'"),
        ({"name": "x", "colour": 1}, "got an unexpected keyword argument 'colour'"),
    ],
)
def test_bad_arguments_raise_what_dataclass_raises(arguments: dict[str, object], message: str) -> None:
    for kind in (Sectioned, Plain):
        with pytest.raises(TypeError, match=message):
            kind(**arguments)


def test_equality_hash_and_repr_match_dataclass() -> None:
    a, b, c = Sectioned(name="x", tags=[]), Sectioned(name="x", tags=[]), Sectioned(name="y", tags=[])
    assert a == b and a != c and a != Plain(name="x", tags=[])
    assert hash(Sectioned(name="x", tags=())) == hash(Sectioned(name="x", tags=()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)  # a list inside, as with a frozen dataclass
    assert repr(a) == repr(Plain(name="x", tags=[])).replace("Plain", "Sectioned")


def test_frozen_and_still_a_dataclass() -> None:
    value = Sectioned(name="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.name = "y"  # type: ignore[misc]
    assert [f.name for f in dataclasses.fields(value)] == ["name", "size", "tags"]
    assert dataclasses.replace(value, size=3) == Sectioned(name="x", size=3)
    assert dataclasses.asdict(value) == {"name": "x", "size": 1, "tags": ["a"]}


def test_a_field_outside_the_constructor_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="no `init=False`"):

        @section
        class Hidden(Frozen):
            shown: int = 1
            hidden: int = field(default=2, init=False)
