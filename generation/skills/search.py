"""Search backends the null-query rewriter asks for hit counts: a Protocol plus an HTTP implementation.

Contract: `SearchBackend.count(query) -> int` returns how many results `query` gets (0 = null query). The lead
wires project retrieval indexes to this Protocol; `HttpSearchBackend` calls an HTTP endpoint
(GET url?q=QUERY, JSON body, count at a dotted path such as `total` or `meta.count`). Failures raise
`SkillBackendError` naming the backend, never return a made-up count.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import httpx

from generation.skills.errors import SkillBackendError
from generation.skills.settings import HttpSearchSettings


@runtime_checkable
class SearchBackend(Protocol):
    def count(self, query: str) -> int: ...


class HttpSearchBackend:
    def __init__(self, name: str, config: HttpSearchSettings, *, client: httpx.Client | None = None) -> None:
        self.name = name
        self.config = config
        self._client = client or httpx.Client(timeout=config.timeout_s)

    def count(self, query: str) -> int:
        try:
            response = self._client.get(str(self.config.url), params={self.config.query_param: query})
            response.raise_for_status()
            body: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SkillBackendError(f"search backend {self.name!r} failed: {exc}") from exc
        for key in self.config.count_path.split("."):
            if isinstance(body, list) and key.isdigit() and int(key) < len(body):
                body = body[int(key)]
            elif isinstance(body, dict) and key in body:
                body = body[key]
            else:
                raise SkillBackendError(f"search backend {self.name!r}: no {self.config.count_path!r} in the response")
        if isinstance(body, list):
            return len(body)
        if isinstance(body, bool) or not isinstance(body, int | float) or body < 0:
            raise SkillBackendError(f"search backend {self.name!r}: count is not a non-negative number")
        return int(body)

    def close(self) -> None:
        self._client.close()


def http_backends(configs: dict[str, HttpSearchSettings]) -> dict[str, SearchBackend]:
    return {name: HttpSearchBackend(name, cfg) for name, cfg in configs.items()}
