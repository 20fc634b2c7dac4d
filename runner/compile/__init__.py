"""Compile stage: spec → nautilus configs described as plain values (no nautilus import), render, diff."""
