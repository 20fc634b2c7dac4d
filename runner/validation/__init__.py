"""Stages 3-5: schema (model) validation, semantic checks, and the per-file result."""
