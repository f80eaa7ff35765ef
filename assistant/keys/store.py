"""The key store: create, revoke, list and re-scope API keys; admit a request under the key's quotas; record usage.

Contract:
- A key is `ka_<id>_<secret>` (`id` 8 hex chars, public; `secret` 256 random bits). Only its SHA-256 is stored;
  the plain key is returned once by `create` and never again.
- A key has scopes (`assistant.keys.scopes`; default `chat` only). `admit` returns them; the API decides per route.
- `admit` runs in ONE writer transaction (SQLite BEGIN IMMEDIATE; on PostgreSQL the key row is locked FOR UPDATE):
  check the key, count its requests of the last 60 s against `requests_per_minute`, sum today's (UTC) tokens
  against `tokens_per_day`, and insert the usage row; so concurrent requests of one key, also from several
  processes, never overshoot. Refusals raise `QuotaExceeded` with the seconds until the quota frees up.
- `record_tokens` fills in the admitted request's token counts when its turn is done.
Blocking SQL runs on a worker thread (the `a*` methods); the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from assistant.keys.errors import KeyNotFound, QuotaExceeded, Unauthorized
from assistant.keys.models import ApiKeyRow, ApiUsageRow
from assistant.keys.scopes import DEFAULT_SCOPES, decode, encode
from assistant.store.engine import writer

KEY_PATTERN = re.compile(r"^ka_([0-9a-f]{8})_[A-Za-z0-9_-]{20,100}$")
WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    requests_per_minute: int
    tokens_per_day: int
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class RateLimit:
    """Where a key stands against its quotas, for the `x-ratelimit-*` headers (seconds until each frees up)."""

    requests_limit: int
    requests_remaining: int
    requests_reset_s: float
    tokens_limit: int
    tokens_remaining: int
    tokens_reset_s: float

    def headers(self) -> dict[str, str]:
        """OpenAI's names (per minute requests, per day tokens) and the plain triple for the request quota."""
        return {
            "x-ratelimit-limit": str(self.requests_limit),
            "x-ratelimit-remaining": str(max(self.requests_remaining, 0)),
            "x-ratelimit-reset": str(max(1, round(self.requests_reset_s))),
            "x-ratelimit-limit-requests": str(self.requests_limit),
            "x-ratelimit-remaining-requests": str(max(self.requests_remaining, 0)),
            "x-ratelimit-reset-requests": f"{max(1, round(self.requests_reset_s))}s",
            "x-ratelimit-limit-tokens": str(self.tokens_limit),
            "x-ratelimit-remaining-tokens": str(max(self.tokens_remaining, 0)),
            "x-ratelimit-reset-tokens": f"{max(1, round(self.tokens_reset_s))}s",
        }


@dataclass(frozen=True)
class Admitted:
    key_id: str
    usage_id: int
    scopes: tuple[str, ...]
    rate_limit: RateLimit | None = None


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    # -- administration (CLI) ----------------------------------------------------------------------------
    def create(self, name: str, *, requests_per_minute: int, tokens_per_day: int,
               scopes: Iterable[str] = DEFAULT_SCOPES) -> tuple[ApiKey, str]:
        stored_scopes = encode(scopes)
        if not 1 <= len(name) <= 128:
            raise ValueError("a key name has 1 to 128 characters")
        if requests_per_minute < 1 or tokens_per_day < 1:
            raise ValueError("quotas must be positive")
        key_id = secrets.token_hex(4)
        plain = f"ka_{key_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        row = {"id": key_id, "name": name, "key_hash": hash_key(plain), "requests_per_minute": requests_per_minute,
               "tokens_per_day": tokens_per_day, "created_at": now, "revoked_at": None, "last_used_at": None,
               "scopes": stored_scopes}
        with self._writer.begin() as conn:
            conn.execute(ApiKeyRow.__table__.insert().values(**row))
        return _key(row), plain

    def revoke(self, key_id: str) -> ApiKey:
        table = ApiKeyRow.__table__
        with self._writer.begin() as conn:
            found = conn.execute(select(table).where(table.c.id == key_id)).mappings().first()
            if found is None:
                raise KeyNotFound(f"no key with id {key_id!r}", param="key_id")
            if found["revoked_at"] is None:
                conn.execute(table.update().where(table.c.id == key_id).values(revoked_at=datetime.now(UTC)))
            row = conn.execute(select(table).where(table.c.id == key_id)).mappings().one()
        return _key(row)

    def set_scopes(self, key_id: str, scopes: Iterable[str]) -> ApiKey:
        """Replace a key's scopes; takes effect on its next request (the secret stays the same)."""
        stored = encode(scopes)
        table = ApiKeyRow.__table__
        with self._writer.begin() as conn:
            if conn.execute(table.update().where(table.c.id == key_id).values(scopes=stored)).rowcount == 0:
                raise KeyNotFound(f"no key with id {key_id!r}", param="key_id")
            row = conn.execute(select(table).where(table.c.id == key_id)).mappings().one()
        return _key(row)

    def list(self) -> list[ApiKey]:
        table = ApiKeyRow.__table__
        with self.engine.connect() as conn:
            return [_key(r) for r in conn.execute(select(table).order_by(table.c.created_at)).mappings()]

    def usage(self, key_id: str, day: str | None = None) -> dict[str, int]:
        """Requests and tokens of one key on one UTC day (default today)."""
        day = day or datetime.now(UTC).date().isoformat()
        usage = ApiUsageRow.__table__
        query = select(func.count(), func.coalesce(func.sum(usage.c.prompt_tokens), 0),
                       func.coalesce(func.sum(usage.c.completion_tokens), 0)).where(
            usage.c.key_id == key_id, usage.c.day == day)
        with self.engine.connect() as conn:
            requests, prompt, completion = conn.execute(query).one()
        return {"requests": int(requests), "prompt_tokens": int(prompt), "completion_tokens": int(completion)}

    # -- per request ---------------------------------------------------------------------------------------
    def admit(self, plain: str, endpoint: str, now: datetime | None = None) -> Admitted:
        if not KEY_PATTERN.match(plain):
            raise Unauthorized("invalid API key", code="invalid_api_key")
        now = now or datetime.now(UTC)
        keys, usage = ApiKeyRow.__table__, ApiUsageRow.__table__
        with self._writer.begin() as conn:
            query = select(keys).where(keys.c.key_hash == hash_key(plain))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            key = conn.execute(query).mappings().first()
            if key is None or key["revoked_at"] is not None:
                raise Unauthorized("invalid or revoked API key", code="invalid_api_key")
            recent = conn.execute(
                select(func.count(), func.min(usage.c.created_at)).where(
                    usage.c.key_id == key["id"], usage.c.created_at > now - WINDOW)
            ).one()
            reset_requests = (_utc(recent[1]) + WINDOW - now).total_seconds() if recent[1] is not None else 60.0
            day = now.date().isoformat()
            used = conn.execute(
                select(func.coalesce(func.sum(usage.c.prompt_tokens + usage.c.completion_tokens), 0)).where(
                    usage.c.key_id == key["id"], usage.c.day == day)
            ).scalar_one()
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            limit = RateLimit(key["requests_per_minute"], key["requests_per_minute"] - recent[0] - 1,
                              max(reset_requests, 1.0), key["tokens_per_day"], key["tokens_per_day"] - int(used),
                              max((midnight - now).total_seconds(), 1.0))
            if recent[0] >= key["requests_per_minute"]:
                raise QuotaExceeded(f"over the quota of {key['requests_per_minute']} requests per minute",
                                    retry_after=limit.requests_reset_s, code="requests_per_minute", rate_limit=limit)
            if used >= key["tokens_per_day"]:
                raise QuotaExceeded(f"over the quota of {key['tokens_per_day']} tokens per day (used {used})",
                                    retry_after=limit.tokens_reset_s, code="tokens_per_day", rate_limit=limit)
            inserted = conn.execute(
                usage.insert().values(key_id=key["id"], created_at=now, day=day, endpoint=endpoint[:200],
                                      conversation_id=None, prompt_tokens=0, completion_tokens=0)
            ).inserted_primary_key
            assert inserted is not None  # a single-row INSERT always reports its key
            usage_id = inserted[0]
            conn.execute(keys.update().where(keys.c.id == key["id"]).values(last_used_at=now))
        return Admitted(key_id=key["id"], usage_id=int(usage_id), scopes=decode(key["scopes"]), rate_limit=limit)

    def record_tokens(self, usage_id: int, prompt_tokens: int, completion_tokens: int,
                      conversation_id: str | None = None) -> None:
        usage = ApiUsageRow.__table__
        with self._writer.begin() as conn:
            conn.execute(usage.update().where(usage.c.id == usage_id).values(
                prompt_tokens=max(prompt_tokens, 0), completion_tokens=max(completion_tokens, 0),
                conversation_id=conversation_id))

    async def aadmit(self, plain: str, endpoint: str) -> Admitted:
        return await asyncio.to_thread(self.admit, plain, endpoint)

    async def arecord_tokens(self, usage_id: int, prompt_tokens: int, completion_tokens: int,
                             conversation_id: str | None = None) -> None:
        await asyncio.to_thread(self.record_tokens, usage_id, prompt_tokens, completion_tokens, conversation_id)


def _utc(moment: Any) -> datetime:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row["id"], name=row["name"], requests_per_minute=row["requests_per_minute"],
        tokens_per_day=row["tokens_per_day"], created_at=_utc(row["created_at"]),
        revoked_at=_utc(row["revoked_at"]) if row["revoked_at"] else None,
        last_used_at=_utc(row["last_used_at"]) if row["last_used_at"] else None, scopes=decode(row["scopes"]),
    )
