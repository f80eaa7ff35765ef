"""The OpenAPI schema is valid OpenAPI 3.1 and documents the errors; a bounded schemathesis run against it finds
no 5xx, every non-2xx answer carries the one error body, and schema-violating input is refused with a 4xx.

Generation is served by the product's OpenAI-compatible backend on a local echo server, so a 5xx could only be a
bug (no 503 "model not loaded"). Operations that change shared state (persona files, routing, skills indexes)
are fuzzed by their owners' tests; this run covers every read and every turn-taking surface.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from starlette.testclient import TestClient

from api.app import create_app
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, remote_generator, services_for

MAX_EXAMPLES = 8
TURN_SURFACES = ("/v1/chat", "/v1/chat/completions", "/v1/speaker/clova", "/v1/speaker/alexa")


@pytest.fixture(scope="module")
def app(api_settings: Settings, components: Components, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = ChatServer().start()
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}"
    with services_for(api_settings, components, url, remote_generator(server.base_url, "echo-퍼징")) as services:
        app = create_app(services=services)
        with TestClient(app) as client:  # warm up: the first turns load Kiwi for rewriting and speech control
            for message in ("안녕하세요", GENERATE[0]):
                assert client.post("/v1/chat", json={"message": message}).status_code == 200
        yield app
    server.stop()


def test_openapi_schema_is_valid_and_documents_errors(app: Any) -> None:
    raw = app.openapi()
    errors = [str(e) for e in OPENAPI_31_VALIDATOR.iter_errors(raw)]
    assert not errors, errors[:3]
    for path in ("/v1/chat/completions", "/v1/models", "/v1/speaker/clova", "/v1/speaker/alexa"):
        for method, operation in raw["paths"][path].items():
            codes = set(operation["responses"])
            assert {"200", "422", "503"} <= codes, (method, path, codes)
            assert raw["paths"][path][method]["responses"]["422"]["content"]["application/json"]["schema"]
    assert {"401", "429"} <= set(raw["paths"]["/v1/chat/completions"]["post"]["responses"])
    schemes = raw["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def _fuzzed(operation: Any) -> bool:
    return operation.method.upper() == "GET" or operation.path in TURN_SURFACES


def _negated_body(case: Any) -> bool:
    """Whether schemathesis made this case's BODY violate the schema (not just a header or the query)."""
    components = case.meta.components if case.meta is not None else {}
    return any(str(getattr(location, "value", location)) == "body" and info.mode is GenerationMode.NEGATIVE
               for location, info in components.items())


def _check(case: Any, mode: GenerationMode, failures: list[str], refused: list[int]) -> None:
    response = case.call(timeout=60)
    label = f"{case.method} {case.formatted_path} [{mode.value}] -> {response.status_code}"
    if response.status_code >= 500:
        failures.append(f"{label}: {response.text[:300]}")
        return
    if response.status_code >= 400:
        if mode is GenerationMode.NEGATIVE and _negated_body(case):
            refused.append(response.status_code)
        body = response.json()
        if set(body.get("error", {})) != {"message", "type", "param", "code"}:
            failures.append(f"{label}: not the error body: {response.text[:300]}")
    elif mode is GenerationMode.NEGATIVE and case.path in TURN_SURFACES and _negated_body(case):
        failures.append(f"{label}: schema-violating body accepted: {str(case.body)[:200]}")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_fuzzing_the_schema_finds_no_5xx_and_every_error_has_the_body(app: Any, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    refused: list[int] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    fuzzed = [op for op in operations if _fuzzed(op)]
    assert len(fuzzed) >= 6
    for operation in fuzzed:
        @given(case=operation.as_strategy(generation_mode=mode))
        @hsettings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            _check(case, mode, failures, refused)

        try:
            run()
        except Unsatisfiable:  # nothing in this operation can be made invalid (e.g. no parameters, no body)
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert not failures, "\n".join(failures[:10])
    if mode is GenerationMode.NEGATIVE:
        assert len(refused) >= 10 and all(400 <= code < 500 for code in refused)
