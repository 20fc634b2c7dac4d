"""The spec model: frozen pydantic structs, one module per section."""

from runner.model.spec import Spec

__all__ = ["Spec"]
