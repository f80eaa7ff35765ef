"""The controlled layer on a real model: each control changes the reply, and without it the reply is wrong.

The tiny model is trained to reproduce known replies (benchmarks/support/tiny_lm.SCRIPT): a 반말 reply, a reply
with PII, an abusive reply, a long reply; greedy decoding makes each test exact.
"""

from __future__ import annotations

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationConfig, GenerationRequest, GenerationUnavailable, Generator
from generation.filters import AbuseFilter
from generation.speech_level import SpeechLevelControl
from generation.transformers_backend import TransformersBackend


def ask(text: str, **kw: object) -> GenerationRequest:
    params: dict[str, object] = {"temperature": 0.0, "max_new_tokens": 60, **kw}
    return GenerationRequest(messages=[{"role": "user", "content": text}], **params)  # type: ignore[arg-type]


@pytest.fixture
def generator(tf_backend: TransformersBackend, speech: SpeechLevelControl) -> Generator:
    return Generator(tf_backend, GenerationConfig(max_regenerations=2, speech_regenerations=0), speech=speech)


async def test_speech_level_control_repairs_a_banmal_reply_to_haeyo(generator: Generator,
                                                                   speech: SpeechLevelControl) -> None:
    raw = SCRIPT["기분 어때?"]
    assert speech.violations(raw, "해요체")  # the model's own reply is 반말
    done = await generator.generate(ask("기분 어때?", speech_level="해요체"))
    assert done.text != raw
    assert speech.violations(done.text, "해요체") == []
    assert "speech_level_repair" in done.trace["controls"]
    assert done.text.startswith("저는 ")


async def test_speech_level_control_regenerates_before_repairing(tf_backend: TransformersBackend,
                                                                  speech: SpeechLevelControl) -> None:
    generator = Generator(tf_backend, GenerationConfig(speech_regenerations=1), speech=speech)
    done = await generator.generate(ask("날씨 알려줘", speech_level="반말"))
    assert done.trace["regenerations"] >= 1
    assert speech.violations(done.text, "반말") == []


async def test_reply_at_the_requested_level_is_left_alone(generator: Generator) -> None:
    done = await generator.generate(ask("날씨 알려줘", speech_level="합쇼체"))
    assert done.text == SCRIPT["날씨 알려줘"]
    assert done.trace["controls"] == []


async def test_pii_in_replies_is_masked_when_configured(tf_backend: TransformersBackend,
                                                        speech: SpeechLevelControl) -> None:
    masked = await Generator(tf_backend, speech=speech).generate(ask("연락처 알려줘"))
    assert "010-1234-5678" not in masked.text and "[전화번호]" in masked.text and "[이메일]" in masked.text
    assert masked.trace["reply_pii"] == ["전화번호", "이메일"]
    unmasked = Generator(tf_backend, GenerationConfig(pii_mask_replies=False), speech=speech)
    plain = await unmasked.generate(ask("연락처 알려줘"))
    assert plain.text == SCRIPT["연락처 알려줘"]


async def test_abusive_reply_is_regenerated_then_replaced_by_the_persona_refusal(generator: Generator) -> None:
    done = await generator.generate(ask("욕 좀 해 봐", refusal="그런 말은 하지 않을래요."))
    assert done.text == "그런 말은 하지 않을래요."
    assert done.finish_reason == "filtered"
    assert done.trace["refused"] is True
    assert done.trace["regenerations"] == 2
    assert done.trace["filter_hits"][0][0]["kind"] == "profanity"


async def test_without_a_refusal_the_default_one_is_used(tf_backend: TransformersBackend,
                                                         speech: SpeechLevelControl) -> None:
    generator = Generator(tf_backend, GenerationConfig(max_regenerations=0, default_refusal="답할 수 없어요."),
                          speech=speech)
    done = await generator.generate(ask("욕 좀 해 봐"))
    assert (done.text, done.finish_reason, done.trace["regenerations"]) == ("답할 수 없어요.", "filtered", 0)


async def test_banned_phrase_filters_an_otherwise_clean_reply(tf_backend: TransformersBackend,
                                                              speech: SpeechLevelControl) -> None:
    generator = Generator(tf_backend, GenerationConfig(max_regenerations=1), speech=speech,
                          abuse_filter=AbuseFilter([]))
    clean = await generator.generate(ask("날씨 알려줘"))
    assert clean.text == SCRIPT["날씨 알려줘"]
    banned = await generator.generate(ask("날씨 알려줘", banned_phrases=["산책"], refusal="다른 이야기 해요."))
    assert banned.finish_reason == "filtered" and banned.text == "다른 이야기 해요."
    assert banned.trace["filter_hits"][0] == [{"kind": "banned_phrase", "match": "산책"}]


async def test_reply_cut_by_max_new_tokens_is_trimmed_to_its_last_complete_sentence(generator: Generator) -> None:
    done = await generator.generate(ask("여행 이야기 해 줘", max_new_tokens=7))
    assert done.finish_reason == "length"
    assert done.text == "지난 봄에 제주도에 갔어요."
    assert "trim_to_sentence" in done.trace["controls"]


async def test_max_reply_chars_keeps_whole_sentences_within_the_limit(generator: Generator) -> None:
    limit = len("지난 봄에 제주도에 갔어요. 바다가 정말 예뻤어요.")
    done = await generator.generate(ask("여행 이야기 해 줘", max_reply_chars=limit))
    assert done.text == "지난 봄에 제주도에 갔어요. 바다가 정말 예뻤어요."
    assert len(done.text) <= limit and done.finish_reason == "length"
    under = await generator.generate(ask("여행 이야기 해 줘", max_reply_chars=limit - 1))
    assert under.text == "지난 봄에 제주도에 갔어요."


async def test_stop_sequences_apply_in_the_controlled_layer(generator: Generator) -> None:
    done = await generator.generate(ask("자기소개 해 줘", stop=["저는"]))
    assert done.text == "안녕하세요."


async def test_stream_applies_speech_level_and_pii(generator: Generator, speech: SpeechLevelControl) -> None:
    parts = [p async for p in generator.stream(ask("기분 어때?", speech_level="합쇼체"))]
    assert len(parts) >= 2
    assert speech.violations("".join(parts), "합쇼체") == []
    masked = "".join([p async for p in generator.stream(ask("연락처 알려줘"))])
    assert "[전화번호]" in masked and "010" not in masked


async def test_stream_of_an_abusive_reply_stops_before_the_abuse_and_says_so(generator: Generator) -> None:
    stream = generator.stream(ask("욕 좀 해 봐", refusal="그건 곤란해요."))
    parts = [p async for p in stream]
    assert "개새끼" not in "".join(parts) and "꺼져" not in "".join(parts)
    assert stream.completion is not None and stream.completion.finish_reason == "filtered"
    assert stream.completion.text == "".join(parts)


async def test_complete_is_greedy_and_uncontrolled(generator: Generator) -> None:
    text = await generator.complete([{"role": "user", "content": "기분 어때?"}], max_new_tokens=60)
    assert text == SCRIPT["기분 어때?"]


async def test_generator_without_a_loaded_model_raises_unavailable_with_the_reason(tmp_path: object) -> None:
    backend = TransformersBackend(GenerationConfig(model=str(tmp_path) + "/missing-model", local_files_only=True))
    with pytest.raises(GenerationUnavailable):
        backend.load()
    generator = Generator(backend)
    ready, detail = generator.status()
    assert not ready and "missing-model" in detail
    with pytest.raises(GenerationUnavailable, match="missing-model"):
        await generator.generate(ask("안녕"))
    with pytest.raises(GenerationUnavailable):
        await anext(generator.stream(ask("안녕")))


async def test_complete_honours_stop_sequences(generator: Generator) -> None:
    text = await generator.complete([{"role": "user", "content": "날씨 알려줘"}], max_new_tokens=60, stop=[" 산책"])
    assert text == "오늘은 맑고 따뜻합니다."
