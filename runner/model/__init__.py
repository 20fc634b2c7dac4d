"""The spec model: frozen dataclasses, one module per section (`base` says how pydantic reads them)."""

from runner.model.spec import Spec

__all__ = ["Spec"]
