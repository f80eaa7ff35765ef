"""Spoken-text formatting: no markdown, emoji, URLs or lists; dates, times and units as a voice reads them."""

from __future__ import annotations

import re

import pytest

from api.speaker.speech import normalise_for_tts, to_speech, to_ssml
from assistant.keys.settings import SpeakerSettings


def spoken_text(text: str) -> str:
    return " ".join(to_speech(text))


EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def test_markdown_is_spoken_as_plain_sentences() -> None:
    text = "## 안내\n\n**중요한** 건 `설정` 파일이에요. *꼭* 확인하세요!\n\n> 인용도 읽어요."
    spoken = spoken_text(text)
    assert not re.search(r"[*#`>]", spoken)
    assert spoken == "안내. 중요한 건 설정 파일이에요. 꼭 확인하세요! 인용도 읽어요."


def test_code_blocks_tables_and_images_are_not_spoken() -> None:
    text = "예시는 아래와 같아요.\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![지도](http://x.kr/a.png)"
    assert to_speech(text) == ["예시는 아래와 같아요."]


def test_links_keep_their_text_and_bare_urls_disappear() -> None:
    spoken = spoken_text("자세한 내용은 [기상청 누리집](https://www.weather.go.kr)에서 보세요. "
                         "또는 www.example.com 참고.")
    assert "http" not in spoken and "www" not in spoken and "기상청 누리집에서 보세요." in spoken


def test_emoji_emoticons_and_jamo_laughter_are_removed() -> None:
    spoken = spoken_text("좋아요 👍🏻 정말 재밌었어요ㅋㅋㅋ ^^ 다음에 또 봐요 ❤️ 🇰🇷")
    assert not EMOJI.search(spoken) and "ㅋ" not in spoken and "^" not in spoken
    assert spoken == "좋아요 정말 재밌었어요 다음에 또 봐요."


def test_a_list_becomes_one_sentence_of_its_items() -> None:
    assert to_speech("준비물:\n\n- 우산\n- 물 한 병\n- 간식\n") == ["준비물.", "우산, 물 한 병, 간식."]
    assert to_speech("1. 첫째 할 일\n2. 둘째 할 일") == ["첫째 할 일, 둘째 할 일."]


@pytest.mark.parametrize(("written", "spoken"), [
    ("2025-03-01", "2025년 3월 1일"),
    ("2024.12.25", "2024년 12월 25일"),
    ("14:30", "14시 30분"),
    ("9:00", "9시"),
    ("25℃", "25도"),
    ("영하 3°C", "영하 3도"),
    ("습도 60%", "습도 60퍼센트"),
    ("1,250,000원", "1250000원"),
    ("3~5개", "3에서 5개"),
    ("60km/h", "시속 60킬로미터"),
    ("2.5kg", "2.5킬로그램"),
    ("500ml", "500밀리리터"),
    ("$20", "20달러"),
    ("010-1234-5678", "010-1234-5678"),
])
def test_numbers_units_and_dates_are_written_for_the_voice(written: str, spoken: str) -> None:
    assert normalise_for_tts(written) == spoken


def test_units_need_a_number_before_them() -> None:
    assert normalise_for_tts("m과 km는 단위예요") == "m과 km는 단위예요"


def test_no_sentence_is_longer_than_the_limit_and_cuts_fall_on_commas_or_spaces() -> None:
    long = ", ".join(f"{n}번째 항목은 아주 길게 설명되는 내용" for n in range(1, 30)) + "입니다."
    sentences = to_speech(long, SpeakerSettings(max_sentence_chars=200, max_reply_chars=8000))
    assert len(sentences) > 1 and all(len(s) <= 200 for s in sentences)
    assert all(not s.endswith(("번", "항")) for s in sentences[:-1]), "cut between words"
    assert "".join(sentences).replace(" ", "").replace(",", "") == long.replace(" ", "").replace(",", "")


@pytest.mark.parametrize("limit", [20, 200])
def test_sentence_limit_holds_at_n_for_a_single_unbroken_word(limit: int) -> None:
    sentences = to_speech("가" * (limit * 2 + 1), SpeakerSettings(max_sentence_chars=limit, max_reply_chars=8000))
    assert [len(s) for s in sentences][:2] == [limit, limit]


def test_replies_are_kept_short_in_whole_sentences() -> None:
    text = " ".join(f"이것은 {n}번째 문장입니다." for n in range(50))
    sentences = to_speech(text, SpeakerSettings(max_reply_chars=100))
    assert sum(len(s) + 1 for s in sentences) <= 101 and sentences[0] == "이것은 0번째 문장입니다."
    first_only = to_speech("아주 긴 첫 문장 " * 40, SpeakerSettings(max_reply_chars=20))
    assert first_only, "the first sentence is always spoken"


def test_ssml_escapes_text_and_wraps_sentences() -> None:
    assert to_ssml(["A & B <C>", "둘째."]) == "<speak><s>A &amp; B &lt;C&gt;</s><s>둘째.</s></speak>"


def test_empty_or_symbol_only_text_speaks_nothing() -> None:
    assert to_speech("") == [] and to_speech("😀 🎉 ---") == []
