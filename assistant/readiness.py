"""Readiness reports: each runtime component says whether it can serve, and why not."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    ready: bool
    detail: str
