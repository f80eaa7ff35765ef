"""Structured replies: what `response_format` accepts, what it names as wrong, and that the generator regenerates an
invalid reply and then fails rather than answering prose as JSON (the tiny model writes no JSON)."""

from __future__ import annotations

import dataclasses

import pytest

from generation import GenerationConfig, GenerationRequest, Generator, InvalidGenerationRequest
from generation.speech_level import SpeechLevelControl
from generation.structured import ResponseFormat, ResponseFormatFailed
from generation.transformers_backend import TransformersBackend

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def test_a_json_object_passes_and_prose_or_an_array_is_named_as_wrong() -> None:
    fmt = ResponseFormat.json_object()
    assert fmt.problem('{"a": 1}') is None and fmt.problem('```json\n{"a": 1}\n```') is None
    assert "not valid JSON" in (fmt.problem("안녕하세요") or "")
    assert "not an object" in (fmt.problem("[1, 2]") or "")


def test_a_schema_is_checked_and_its_violation_located() -> None:
    fmt = ResponseFormat.json_schema(SCHEMA, "weather")
    assert fmt.problem('{"city": "서울"}') is None
    assert "city" in (fmt.problem('{"town": "서울"}') or "")
    with pytest.raises(InvalidGenerationRequest) as refused:
        ResponseFormat.json_schema({"type": "objekt"})
    assert refused.value.param == "response_format.json_schema.schema"


async def test_a_reply_that_stays_prose_fails_after_its_regenerations(tf_backend: TransformersBackend,
                                                                      speech: SpeechLevelControl) -> None:
    generator = Generator(tf_backend, GenerationConfig(max_regenerations=1), speech=speech)
    request = GenerationRequest(messages=[{"role": "user", "content": "날씨 알려줘"}], temperature=0.0,
                                max_new_tokens=300, response_format=ResponseFormat.json_object())
    with pytest.raises(ResponseFormatFailed, match="after 2 attempts"):
        await generator.generate(request)
    cut = await generator.generate(dataclasses.replace(request, max_new_tokens=40))
    assert cut.finish_reason == "length"  # OpenAI's contract: a reply cut by the token limit may be partial JSON
