"""GenerationRequest refuses impossible values when it is built, at the boundary (N passes, N+1 fails)."""

from __future__ import annotations

import pytest

from generation import GenerationRequest, InvalidGenerationRequest
from generation.config import DecodingDefaults

MSG = [{"role": "user", "content": "안녕"}]


def test_defaults_sample_and_temperature_zero_is_greedy() -> None:
    assert GenerationRequest(MSG).sampling
    assert not GenerationRequest(MSG, temperature=0.0).sampling
    assert GenerationRequest(MSG, temperature=0.0, do_sample=True).sampling


def test_request_decoding_defaults_are_the_configs() -> None:
    request = GenerationRequest(MSG)
    for name, value in DecodingDefaults().model_dump().items():
        assert getattr(request, name) == value, name


@pytest.mark.parametrize(("field", "ok", "bad"), [
    ("max_new_tokens", 1, 0),
    ("temperature", 5.0, 5.01),
    ("top_p", 1.0, 1.01),
    ("top_k", 1, 0),
    ("repetition_penalty", 10.0, 10.5),
    ("max_reply_chars", 1, 0),
    ("timeout_s", 0.01, 0.0),
])
def test_limits_accept_the_bound_and_refuse_past_it(field: str, ok: object, bad: object) -> None:
    GenerationRequest(MSG, **{field: ok})  # type: ignore[arg-type]
    with pytest.raises(InvalidGenerationRequest) as info:
        GenerationRequest(MSG, **{field: bad})  # type: ignore[arg-type]
    assert info.value.param == field


@pytest.mark.parametrize("messages", [[], [{"role": "tool", "content": "x"}], [{"role": "user", "content": 3}]])
def test_malformed_messages_are_refused(messages: list) -> None:
    with pytest.raises(InvalidGenerationRequest):
        GenerationRequest(messages)


def test_empty_stop_or_banned_phrase_is_refused() -> None:
    with pytest.raises(InvalidGenerationRequest):
        GenerationRequest(MSG, stop=[""])
    with pytest.raises(InvalidGenerationRequest):
        GenerationRequest(MSG, banned_phrases=["  "])


def test_unknown_speech_level_is_refused() -> None:
    with pytest.raises(InvalidGenerationRequest):
        GenerationRequest(MSG, speech_level="하오체")  # type: ignore[arg-type]
