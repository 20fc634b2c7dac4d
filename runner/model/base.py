"""Shared base for every spec model: frozen, unknown keys forbidden, docs carried to the schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Nautilus config structs are frozen and reject unknown fields; the spec model follows suit so
# that a typo is an error (with a did-you-mean), never a silently ignored key.
FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True, defer_build=True)


class Frozen(BaseModel):
    model_config = FROZEN


Port = Annotated[int, Field(ge=1, le=65535)]
ClientId = Annotated[int, Field(ge=0, le=2**31 - 1)]
Seconds = Annotated[int, Field(ge=1)]
PositiveSeconds = Annotated[float, Field(gt=0)]
ImportPath = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description="An importable `package.module:ClassName` path.",
    ),
]
