"""A semantic problem: the JSON path of the offending value and what is wrong with it."""

from __future__ import annotations

from runner.loading.document import JsonPath

Problem = tuple[JsonPath, str]
