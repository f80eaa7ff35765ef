"""The one error table (assistant.error_table): every leaf exception has a row, no row hides a later one, and a leaf
exception that a router lets propagate reaches the client as its row's error body."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import dst.types
import generation.errors
import generation.skills.errors
import personas.errors
import retrieval.errors
import retrieval.verifier
from api.errors import install_error_handlers
from assistant.error_table import LEAF_ERROR_BASES, LEAF_ERRORS, TABLE, to_assistant_error
from generation import GenerationBusy
from personas import PersonaNotFound
from retrieval import RetrievalError

LEAF_ERROR_MODULES: list[ModuleType] = [dst.types, retrieval.errors, retrieval.verifier, personas.errors,
                                        generation.errors, generation.skills.errors]


def _defined_exceptions(module: ModuleType) -> list[type[BaseException]]:
    return [obj for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__]


def test_no_row_is_shadowed_by_an_earlier_one() -> None:
    for i, (leaf, _) in enumerate(TABLE):
        earlier = [other for other, _ in TABLE[:i] if issubclass(leaf, other)]
        assert not earlier, f"{leaf.__name__} is never reached: {earlier[0].__name__} comes first"


@pytest.mark.parametrize("module", LEAF_ERROR_MODULES, ids=lambda m: m.__name__)
def test_every_leaf_exception_class_is_covered_by_a_row(module: ModuleType) -> None:
    for cls in _defined_exceptions(module):
        assert issubclass(cls, LEAF_ERRORS), f"{cls.__name__} has no row in assistant.error_table"


def test_every_row_class_derives_from_one_registered_base() -> None:
    assert all(issubclass(leaf, LEAF_ERROR_BASES) for leaf in LEAF_ERRORS)


def test_an_exception_of_no_leaf_is_refused() -> None:
    with pytest.raises(TypeError):
        to_assistant_error(ValueError("not a leaf's"))


def test_a_leaf_exception_leaving_a_route_becomes_its_rows_error_body() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/persona")
    async def persona() -> None:
        raise PersonaNotFound("ghost")

    @app.get("/busy")
    async def busy() -> None:
        raise GenerationBusy("full", retry_after=2.4)

    @app.get("/retrieval")
    async def broken() -> None:
        raise RetrievalError("index went away")

    client = TestClient(app)
    missing = client.get("/persona")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"message": "unknown persona 'ghost'", "type": "not_found_error",
                                       "param": "persona", "code": "persona_not_found"}
    full = client.get("/busy")
    assert full.status_code == 503 and full.headers["retry-after"] == "2"
    assert full.json()["error"]["code"] == "generation_busy"
    assert client.get("/retrieval").status_code == 500
