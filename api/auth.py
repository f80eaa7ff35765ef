"""API-key authentication and quota enforcement, as one FastAPI dependency (`CallerDep` / `require_key`).

When auth is required (`auth.mode` on, or auto on a non-loopback `server.host`), every request under the guarded
routers needs `Authorization: Bearer <key>` or `X-API-Key: <key>`: missing or unknown -> 401, over the per-minute or
daily-token quota -> 429 with Retry-After; every keyed response (429s too) carries `x-ratelimit-limit`, `-remaining`,
`-reset` (requests per minute) and OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`. Each guarded
route needs one scope (`chat_scope` or `admin_scope` as a router dependency); a valid key without it -> 403
`insufficient_scope`. The scope is checked after admission, so a refused request still counts against the per-minute
quota and leaves a usage row (an audit trail of a key probing routes it may not use). An admitted request has a usage
row; routers that run turns fill in its tokens with `record_usage`. The key id is the owner of the conversations it
creates, and a key sees only its own conversations. With auth off, keys are ignored, every scope is granted and
nothing is owned (loopback use).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import State

from api.deps import ServicesDep
from assistant.keys import ADMIN, CHAT, SCOPES, Forbidden, KeyStore, Unauthorized, auth_required
from assistant.services import Services

bearer_scheme = HTTPBearer(auto_error=False, description="API key as a bearer token (OpenAI clients' api_key)")
header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key in a header")


@dataclass(frozen=True)
class Caller:
    """Who is calling: `key_id` None when auth is off (then `require_key` grants every scope explicitly).

    No scope by default, so a Caller built without naming its scopes can do nothing that needs one."""

    key_id: str | None = None
    usage_id: int | None = None
    scopes: frozenset[str] = frozenset()

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
        return Caller(scopes=frozenset(SCOPES))
    secret = (bearer.credentials if bearer is not None else None) or header
    if not secret:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                           code="missing_api_key")
    admitted = await key_store(request, services).aadmit(secret, f"{request.method} {request.url.path}")
    caller = Caller(admitted.key_id, admitted.usage_id, frozenset(admitted.scopes))
    request.state.caller = caller
    if admitted.rate_limit is not None:  # sent on the response by api.metrics.middleware
        request.state.rate_limit_headers = admitted.rate_limit.headers()
    return caller


CallerDep = Annotated[Caller, Depends(require_key)]


def require_scope(scope: str) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that admits the key (once per request: it shares `require_key`) and then needs `scope`."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    async def needs_scope(caller: CallerDep) -> Caller:
        if scope not in caller.scopes:
            raise Forbidden(f"this API key lacks the '{scope}' scope this route needs "
                            f"(it has: {', '.join(sorted(caller.scopes)) or 'none'})", code="insufficient_scope")
        return caller

    needs_scope.__name__ = f"needs_{scope}_scope"
    return needs_scope


# One instance per scope: FastAPI caches a dependency per request by its callable, so a guard runs once.
chat_scope = require_scope(CHAT)
admin_scope = require_scope(ADMIN)


async def record_usage(request: Request, services: Services, caller: Caller, prompt_tokens: int,
                       completion_tokens: int, conversation_id: str | None) -> None:
    if caller.usage_id is None:
        return
    await key_store(request, services).arecord_tokens(caller.usage_id, prompt_tokens, completion_tokens,
                                                      conversation_id)
