"""API keys: hashed storage, scopes, per-minute request quota, daily token quota, usage records (see `store`)."""

from assistant.keys.errors import Forbidden, KeyNotFound, QuotaExceeded, Unauthorized
from assistant.keys.scopes import ADMIN, CHAT, SCOPES
from assistant.keys.settings import AuthSettings, SpeakerSettings, auth_required, check_exposure, is_loopback
from assistant.keys.store import Admitted, ApiKey, KeyStore, hash_key

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
