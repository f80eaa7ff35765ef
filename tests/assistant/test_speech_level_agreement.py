"""personas and generation read speech levels with the same rules.

The two packages are siblings and may not import each other, so each keeps its ending table; this test (assistant
sees both) pins that they agree: on Kiwi ending forms, and on whole sentences of every level, 하오체 included.
"""

from __future__ import annotations

import pytest

from generation.speech_level import SpeechLevelControl
from generation.speech_level import level_of_ending as generation_level
from personas.speech import level_of_ending as personas_level
from personas.speech import sentence_levels

ENDINGS = [
    ("ᆸ니다", "EF"), ("습니다", "EF"), ("ᆸ니까", "EF"), ("습니까", "EF"), ("ᆸ시오", "EF"), ("ᆸ시다", "EF"),
    ("오", "EF"), ("소", "EF"), ("구려", "EF"), ("시오", "EF"),
    ("어요", "EF"), ("에요", "EF"), ("네요", "EF"), ("죠", "EF"), ("세요", "EF"), ("ᆯ게요", "EF"), ("요", "JX"),
    ("어", "EF"), ("자", "EF"), ("야", "EF"), ("네", "EF"), ("잖아", "EF"), ("니", "EF"), ("냐", "EF"),
    ("어서", "EC"), ("는데", "EC"), ("고", "EC"), ("니까", "EC"), ("는데요", "EC"), ("소", "EC"),
]
SENTENCES = [
    "회의는 세 시에 시작합니다.", "이쪽으로 오십시오.", "같이 갑시다.",
    "먼 길 오셨구려.", "참 반갑소.", "어디로 가오?", "비가 오니까.",
    "점심 먹으러 가요.", "그 책 재미있죠?", "저는 대학생이에요.", "제가 할게요.", "저도요.",
    "밥 먹었어?", "같이 가자.", "그건 내 친구야.", "벌써 끝났네.", "비가 와서.",
]


@pytest.fixture(scope="module")
def speech() -> SpeechLevelControl:
    return SpeechLevelControl()


@pytest.mark.parametrize(("form", "tag"), ENDINGS)
def test_both_tables_give_an_ending_the_same_level(form: str, tag: str) -> None:
    assert personas_level(form, tag) == generation_level(form, tag)


def test_hao_che_counts_as_the_formal_register_in_both() -> None:
    for form, tag in (("오", "EF"), ("소", "EF"), ("소", "EC"), ("구려", "EF")):  # Kiwi tags "반갑소" 소 EC
        assert personas_level(form, tag) == generation_level(form, tag) == "합쇼체"
    assert personas_level("니까", "EC") == generation_level("니까", "EC") == "반말"  # "비가 오니까." is not formal


@pytest.mark.parametrize("sentence", SENTENCES)
def test_both_packages_read_a_sentence_at_the_same_level(speech: SpeechLevelControl, sentence: str) -> None:
    generation_levels = [s.level for s in speech.analyse(sentence) if s.level is not None]
    assert sentence_levels(sentence, speech.kiwi) == generation_levels and generation_levels
