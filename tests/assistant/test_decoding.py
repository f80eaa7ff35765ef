"""A persona's decoding values win; what it leaves out is the server's `generation.defaults`."""

from __future__ import annotations

from assistant.decoding import decoding
from assistant.settings import Settings
from assistant.text_completion import text_request
from generation.config import DecodingDefaults
from personas.schema import Persona

BASE = {"id": "plain", "name": "평범", "description": "기본 설정만 쓰는 페르소나예요.", "speech_level": "해요체",
        "greetings": ["안녕하세요!"], "refusal": "죄송해요, 도와드리기 어려워요."}


def test_a_persona_without_decoding_values_takes_the_server_defaults() -> None:
    defaults = DecodingDefaults(temperature=0.2, top_p=0.5, max_new_tokens=99, repetition_penalty=1.3, top_k=7)
    assert decoding(Persona.model_validate(BASE), defaults) == defaults


def test_the_persona_s_own_values_win_over_the_defaults() -> None:
    persona = Persona.model_validate(BASE | {"generation": {"temperature": 0.9, "max_new_tokens": 40}})
    chosen = decoding(persona, DecodingDefaults(temperature=0.2, top_p=0.5, max_new_tokens=99))
    assert (chosen.temperature, chosen.top_p, chosen.max_new_tokens) == (0.9, 0.5, 40)


def test_server_defaults_reach_the_generation_request() -> None:
    settings = Settings(generation={"defaults": {"temperature": 0.1, "repetition_penalty": 1.25, "top_k": 5}})
    request = text_request(settings, Persona.model_validate(BASE), "안녕", max_tokens=None, temperature=None,
                           top_p=None, stop=None, seed=None)
    assert (request.temperature, request.repetition_penalty, request.top_k) == (0.1, 1.25, 5)
    explicit = text_request(settings, Persona.model_validate(BASE), "안녕", max_tokens=None, temperature=0.8,
                            top_p=None, stop=None, seed=None)
    assert explicit.temperature == 0.8, "a request's own value wins over both"
