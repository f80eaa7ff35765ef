"""/health answers without touching components; /ready names every component with a reason."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Input handling does not depend on the store backend: SQLite only (the store contract covers both)."""
    return f"sqlite:///{tmp_path / 'store.db'}"

async def test_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_ready_reports_store_indexes_and_lm_with_reasons(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["components"]["store"]["ready"] is True
    assert {"store", "generation", "personas"} <= set(body["components"])
    assert any(name.startswith("retrieval") for name in body["components"])
    assert all(c["detail"] for c in body["components"].values())
    if not body["components"]["generation"]["ready"]:
        assert body["status"] == "degraded"


async def test_openapi_schema_documents_the_error_body(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    responses = schema["paths"]["/v1/chat"]["post"]["responses"]
    assert {"404", "413", "422", "503"} <= set(responses)
    assert "ErrorBody" in schema["components"]["schemas"]
