"""API-key authentication and quota enforcement, as one FastAPI dependency (`CallerDep` / `require_key`).

When auth is required (`auth.mode` on, or auto on a non-loopback `server.host`), every request under the
guarded routers needs `Authorization: Bearer <key>` or `X-API-Key: <key>`: missing or unknown -> 401, over the
per-minute or daily-token quota -> 429 with Retry-After. An admitted request has a usage row; routers that run
turns fill in its tokens with `record_usage`. The key id is the owner of the conversations it creates, and a key
sees only its own conversations. With auth off, keys are ignored and nothing is owned (loopback use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import State

from api.deps import ServicesDep
from assistant.keys import KeyStore, Unauthorized, auth_required
from assistant.services import Services

bearer_scheme = HTTPBearer(auto_error=False, description="API key as a bearer token (OpenAI clients' api_key)")
header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key in a header")


@dataclass(frozen=True)
class Caller:
    """Who is calling: `key_id` None when auth is off."""

    key_id: str | None = None
    usage_id: int | None = None

    @property
    def owner(self) -> str | None:
        return self.key_id


def app_cache(state: State, name: str) -> dict[Any, Any]:
    """A per-app dict on `app.state` (verifiers, key stores): built on first use, shared by later requests."""
    cache = getattr(state, name, None)
    if cache is None:
        cache = {}
        setattr(state, name, cache)
    return cache


def key_store(request: Request, services: Services) -> KeyStore:
    """One KeyStore per Services (on the conversation store's engine, so the same database and migrations)."""
    stores: dict[int, KeyStore] = app_cache(request.app.state, "key_stores")
    found = stores.get(id(services))
    if found is None or found.engine is not services.store.engine:
        found = stores[id(services)] = KeyStore(services.store.engine)
    return found


async def require_key(
    request: Request,
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header: Annotated[str | None, Depends(header_scheme)],
) -> Caller:
    settings = services.settings
    if not auth_required(settings.auth, settings.server.host):
        return Caller()
    secret = (bearer.credentials if bearer is not None else None) or header
    if not secret:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                           code="missing_api_key")
    admitted = await key_store(request, services).aadmit(secret, f"{request.method} {request.url.path}")
    caller = Caller(admitted.key_id, admitted.usage_id)
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(require_key)]


async def record_usage(request: Request, services: Services, caller: Caller, prompt_tokens: int,
                       completion_tokens: int, conversation_id: str | None) -> None:
    if caller.usage_id is None:
        return
    await key_store(request, services).arecord_tokens(caller.usage_id, prompt_tokens, completion_tokens,
                                                      conversation_id)
