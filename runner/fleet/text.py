"""Exported documents as YAML text: deterministic (the same fleet gives the same bytes), block
style, multi-line strings (the specs in ConfigMaps) as literal blocks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """Safe dumping; insertion order kept (the exporters build keys in a fixed order)."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_documents(documents: Iterable[Any], header: str) -> str:
    """`header` as comment lines, then the documents separated by `---`."""
    body = yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True
    )
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body
