"""API keys: hashed storage, scopes, per-minute request quota, daily token quota, usage records (see `store`).

Scopes, settings and errors load with the package; the store (SQLAlchemy) loads on first use of one of its names,
so that `assistant keys --help` can list the scopes without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from assistant.keys.errors import Forbidden, KeyNotFound, QuotaExceeded, Unauthorized
from assistant.keys.scopes import ADMIN, CHAT, SCOPES
from assistant.keys.settings import AuthSettings, SpeakerSettings, auth_required, check_exposure, is_loopback

if TYPE_CHECKING:
    from assistant.keys.store import Admitted, ApiKey, KeyStore, hash_key

_LAZY = {"Admitted", "ApiKey", "KeyStore", "hash_key"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module("assistant.keys.store"), name)
    raise AttributeError(f"module 'assistant.keys' has no attribute {name!r}")


__all__ = [
    "ADMIN",
    "CHAT",
    "SCOPES",
    "Admitted",
    "ApiKey",
    "AuthSettings",
    "Forbidden",
    "KeyNotFound",
    "KeyStore",
    "QuotaExceeded",
    "SpeakerSettings",
    "Unauthorized",
    "auth_required",
    "check_exposure",
    "hash_key",
    "is_loopback",
]
