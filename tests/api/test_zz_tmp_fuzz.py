"""The OpenAPI schema is valid OpenAPI 3.1 and documents the errors; a bounded schemathesis run against it finds
no 5xx, every non-2xx answer carries the one error body, and schema-violating input is refused with a 4xx.

Generation is served by the product's OpenAI-compatible backend on a local echo server, so a 5xx could only be a
bug (no 503 "model not loaded"). Operations that change shared state (persona files, routing, skills indexes)
are fuzzed by their owners' tests; this run covers every read and every turn-taking surface.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from api.app import create_app
from assistant.services import Components
from assistant.settings import Settings
from tests.api.apis_support import remote_generator, services_for
from tests.support.chat_server import ChatServer

MAX_EXAMPLES = 12
TURN_SURFACES = ("/v1/chat", "/v1/chat/completions", "/v1/speaker/clova", "/v1/speaker/alexa")


@pytest.fixture(scope="module")
def app(api_settings: Settings, components: Components, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = ChatServer().start()
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}"
    with services_for(api_settings, components, url, remote_generator(server.base_url, "echo-퍼징")) as services:
        yield create_app(services=services)
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


def _check(case: Any, mode: GenerationMode, failures: list[str]) -> None:
    response = case.call()
    label = f"{case.method} {case.formatted_path} [{mode.value}] -> {response.status_code}"
    if response.status_code >= 500:
        failures.append(f"{label}: {response.text[:300]}")
        return
    if response.status_code >= 400:
        body = response.json()
        if set(body.get("error", {})) != {"message", "type", "param", "code"}:
            failures.append(f"{label}: not the error body: {response.text[:300]}")
    elif mode is GenerationMode.NEGATIVE and case.path in TURN_SURFACES and case.body is not None:
        failures.append(f"{label}: schema-violating body accepted: {str(case.body)[:200]}")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_fuzzing_the_schema_finds_no_5xx_and_every_error_has_the_body(app: Any, mode: GenerationMode,
                                                                       tmp_path: Path) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    fuzzed = [op for op in operations if _fuzzed(op)]
    assert len(fuzzed) >= 6
    for operation in fuzzed:
        @given(case=operation.as_strategy(generation_mode=mode))
        @hsettings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            _check(case, mode, failures)

        try:
            run()
        except BaseException as exc:
            print("FAILED OP", operation.method, operation.path, type(exc).__name__, str(exc)[:300])
            raise
    assert not failures, "\n".join(failures[:10])
