"""Deferred construction of nautilus objects.

The compiler describes each nautilus object as a :class:`Build` — an importable ``module:qualname``
callable (nautilus' own convention for strategies and actors) plus its arguments — instead of
constructing it. A description imports neither nautilus nor pydantic, so it can be produced in
one process (`ibrun run` prepares the spec in a forked child while the parent imports nautilus)
and materialized in another after a pickle round trip.

A secret (the Redis password) is described too, as a :class:`Secret` naming where it is kept:
:func:`with_secrets` puts the value in (or a mask, or a reference) just before a plan is
materialized, so a plan itself never holds one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
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


@dataclass(frozen=True)
class Secret:
    """A secret value the plan refers to: an environment variable or a file (relative to the spec)."""

    env: str | None
    file: str | None
    where: str
    """The spec path that named it (`node.cache.database.password`), for errors."""

    def __str__(self) -> str:
        return f"env:{self.env}" if self.env is not None else f"file:{self.file}"


SecretReader = Callable[[Secret], str]


def with_secrets(value: Any, read: SecretReader) -> Any:
    """``value`` with every Secret in it replaced by ``read(secret)``."""
    if isinstance(value, Secret):
        return read(value)
    if isinstance(value, Build):
        kwargs = {name: with_secrets(arg, read) for name, arg in value.kwargs.items()}
        return Build(value.target, kwargs, tuple(with_secrets(arg, read) for arg in value.args))
    if isinstance(value, list | tuple):
        return type(value)(with_secrets(item, read) for item in value)
    if isinstance(value, dict):
        return {key: with_secrets(item, read) for key, item in value.items()}
    return value


def frozenset_of(items: list[Any]) -> Build:
    # A Build of a frozenset, not a frozenset of Builds: Builds carry dicts, so they are unhashable.
    return Build("builtins:frozenset", args=(items,))


def materialize(value: Any) -> Any:
    """Construct every Build in ``value`` (lists, tuples and dicts are walked; other values kept)."""
    if isinstance(value, Secret):
        raise TypeError(f"{value.where}: the secret ({value}) was not resolved before materializing")
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
