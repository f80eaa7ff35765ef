"""Token streaming through the bounded hold-back: deltas arrive per eojeol, not per reply; what is held back is only
what the repair and the filters still need; the finish reason and token counts are the backend's, streamed or not.

Unit properties drive `HoldBack` character by character; the rest decode the tiny model (SCRIPT replies, greedy).
"""

from __future__ import annotations

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationConfig, GenerationRequest, Generator
from generation.filters import AbuseFilter
from generation.holdback import HoldBack, Judges
from generation.hygiene import clean_text
from generation.speech_level import SpeechLevelControl
from generation.transformers_backend import TransformersBackend


def ask(text: str, **kw: object) -> GenerationRequest:
    params: dict[str, object] = {"temperature": 0.0, "max_new_tokens": 60, **kw}
    return GenerationRequest(messages=[{"role": "user", "content": text}], **params)  # type: ignore[arg-type]


@pytest.fixture
def generator(tf_backend: TransformersBackend, speech: SpeechLevelControl) -> Generator:
    return Generator(tf_backend, GenerationConfig(max_regenerations=0, speech_regenerations=0), speech=speech)


def judges(speech: SpeechLevelControl, **kw: object) -> Judges:
    return Judges(speech=speech, abuse=AbuseFilter([]), **kw)  # type: ignore[arg-type]


def feed_chars(hold: HoldBack, text: str, finish: str = "stop") -> list[str]:
    out = [r.text for r in (hold.feed(c) for c in text) if r.text]
    rest = hold.finish(finish)
    return [*out, rest.text] if rest.text else out


def test_plain_text_is_released_eojeol_by_eojeol(speech: SpeechLevelControl) -> None:
    text = "오늘은 날씨가 맑고 바람이 시원하게 불어서 산책하기 좋은 날이다"
    parts = feed_chars(HoldBack(judges(speech)), text)
    assert "".join(parts) == text
    assert len(parts) >= len(text.split()) - 1  # one release per finished eojeol, the last at the end


def test_a_banned_phrase_never_starts_in_released_text(speech: SpeechLevelControl) -> None:
    hold = HoldBack(judges(speech, banned=("비밀 번호 알려",)))
    released = ""
    for c in "제가 도와 드릴게요 비밀 번호 알려 드릴까요":
        release = hold.feed(c)
        released += release.text
        if release.stopped:
            break
    assert release.stopped == "filtered"
    assert "비밀" not in released and released.startswith("제가")


def test_a_phone_number_written_with_spaces_is_masked_whole(speech: SpeechLevelControl) -> None:
    parts = feed_chars(HoldBack(judges(speech)), "제 번호는 010 1234 5678 입니다 연락 주세요")
    text = "".join(parts)
    assert "[전화번호]" in text and "010" not in text and "5678" not in text


def test_speech_level_repair_holds_the_sentence_end_and_rewrites_it(speech: SpeechLevelControl) -> None:
    raw = "오늘 회의는 세 시에 시작하고 자료는 미리 준비해 둘게요. 그리고 점심은 같이 먹어요."
    parts = feed_chars(HoldBack(judges(speech, level="반말")), raw)
    text = "".join(parts)
    assert speech.violations(text, "반말") == []
    assert text == speech.repair(raw, "반말")
    assert len(parts) > 2  # not one delta per sentence


def test_a_length_cut_drops_an_unfinished_sentence_nothing_of_which_was_sent(speech: SpeechLevelControl) -> None:
    parts = feed_chars(HoldBack(judges(speech)), "첫 문장은 끝났어요. 두번째", finish="length")
    assert "".join(parts).rstrip() == "첫 문장은 끝났어요."
    sent_in_part = feed_chars(HoldBack(judges(speech)), "첫 문장은 끝났어요. 두 번째 문장은 아직", finish="length")
    assert "".join(sent_in_part) == "첫 문장은 끝났어요. 두 번째 문장은 아직"  # what was sent is finished, not cut


def test_hygiene_removes_replacement_and_control_characters_but_keeps_newlines() -> None:
    assert clean_text("안녕\ufffd하세요\x00\x07\r\n반가워요\t👩\u200d💻\ufeff") == "안녕하세요\n반가워요\t👩\u200d💻"


SEPARATED = "첫 줄\u0085다음 줄 단락\u2028구분 문단\u2029끝이에요. 좋아요."


def test_line_and_paragraph_separators_survive_and_next_line_becomes_a_newline(speech: SpeechLevelControl) -> None:
    expected = "첫 줄\n다음 줄 단락\u2028구분 문단\u2029끝이에요. 좋아요."
    assert clean_text(SEPARATED) == expected
    for level in (None, "해요체", "반말", "합쇼체"):  # the repair rewrites endings, never a separator
        streamed = "".join(feed_chars(HoldBack(judges(speech, level=level)), SEPARATED))
        blocking = speech.repair(expected, level) if level else expected  # what Generator.generate repairs
        for reply in (streamed, blocking):
            assert [reply.count(c) for c in "\n\u2028\u2029\u0085"] == [1, 1, 1, 0], (level, reply)


async def test_stream_sends_token_level_deltas_whose_text_is_the_completion(generator: Generator) -> None:
    stream = generator.stream(ask("여행 이야기 해 줘"))
    parts = [p async for p in stream]
    assert len(parts) >= 6, parts  # a delta per eojeol or two, not one per sentence
    assert stream.completion is not None and stream.completion.text == "".join(parts)


@pytest.mark.parametrize("max_tokens", [5, 60])
async def test_streamed_finish_reason_and_usage_equal_the_blocking_ones(generator: Generator,
                                                                         max_tokens: int) -> None:
    request = ask("날씨 알려줘", max_new_tokens=max_tokens)
    blocking = await generator.generate(request)
    stream = generator.stream(request)
    _ = [p async for p in stream]
    streamed = stream.completion
    assert streamed is not None
    assert streamed.finish_reason == blocking.finish_reason == ("length" if max_tokens == 5 else "stop")
    assert streamed.completion_tokens == blocking.completion_tokens
    assert streamed.prompt_tokens == blocking.prompt_tokens
    if max_tokens == 5:
        assert streamed.completion_tokens == 5


async def test_streamed_speech_level_repair_leaves_no_wrong_ending(generator: Generator,
                                                                    speech: SpeechLevelControl) -> None:
    stream = generator.stream(ask("기분 어때?", speech_level="합쇼체"))
    text = "".join([p async for p in stream])
    assert text != SCRIPT["기분 어때?"] and speech.violations(text, "합쇼체") == []
