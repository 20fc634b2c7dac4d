"""Deferred construction of nautilus objects.

The compiler describes each nautilus object as a :class:`Build` — an importable ``module:qualname``
callable (nautilus' own convention for strategies and actors) plus its arguments — instead of
constructing it. A description imports neither nautilus nor pydantic, so it can be produced in
one process (`ibrun run` prepares the spec in a forked child while the parent imports nautilus)
and materialized in another after a pickle round trip.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Build:
    """``target(*args, **kwargs)``, performed by :func:`materialize`; arguments may nest Builds."""

    target: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    args: tuple[Any, ...] = ()

    def with_kwargs(self, **extra: Any) -> Build:
        return Build(self.target, {**self.kwargs, **extra}, self.args)


def frozenset_of(items: list[Any]) -> Build:
    # A Build of a frozenset, not a frozenset of Builds: Builds carry dicts, so they are unhashable.
    return Build("builtins:frozenset", args=(items,))


def materialize(value: Any) -> Any:
    """Construct every Build in ``value`` (lists, tuples and dicts are walked; other values kept)."""
    if isinstance(value, Build):
        args = [materialize(arg) for arg in value.args]
        kwargs = {name: materialize(arg) for name, arg in value.kwargs.items()}
        return resolve(value.target)(*args, **kwargs)
    if isinstance(value, list | tuple):
        return type(value)(materialize(item) for item in value)
    if isinstance(value, dict):
        return {key: materialize(item) for key, item in value.items()}
    return value


@cache
def resolve(target: str) -> Any:
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attr in qualname.split("."):
        obj = getattr(obj, attr)
    return obj
