"""The one speech-level table: levels read from final endings, on sentences unlike the bundled personas'."""

from __future__ import annotations

import pytest

from korean.kiwi import shared_kiwi
from korean.speech import guess_speech_level, sentence_levels


@pytest.mark.parametrize(
    ("texts", "level"),
    [
        (["어서 오십시오. 무엇을 도와드릴까요?", "그렇습니다."], "합쇼체"),
        (["안녕하세요! 커피 드릴까요?", "네, 맞아요."], "해요체"),
        (["야, 뭐 해?", "나 지금 밥 먹어."], "반말"),
        (["*고개를 든다.* 어서 오세요! *웃는다* 비가 오죠?"], "해요체"),
        (["반갑소. 먼 길 오셨구려."], "합쇼체"),
        (["사용하기 쉬운 것은 무엇입니까 노트북과 태블릿 중에"], "합쇼체"),
        (["노트북이랑 태블릿 중에 더 쓰기 편한게 뭐니"], "반말"),
        (["Hello there!"], None),
        (["네!", "*끄덕인다*"], None),
    ],
)
def test_speech_level_is_read_from_final_endings(texts: list[str], level: str | None) -> None:
    assert guess_speech_level(texts, shared_kiwi()) == level


def test_each_spoken_sentence_gets_a_level() -> None:
    assert sentence_levels("좋아. 그럼 내일 봬요. 안녕히 계십시오.", shared_kiwi()) == ["반말", "해요체", "합쇼체"]


@pytest.mark.parametrize(("form", "tag", "level"), [
    ("습니다", "EF", "합쇼체"), ("ᆸ니까", "EF", "합쇼체"), ("ᆸ시다", "EF", "합쇼체"), ("구려", "EF", "합쇼체"),
    ("소", "EC", "합쇼체"), ("어요", "EF", "해요체"), ("죠", "EF", "해요체"), ("요", "JX", "해요체"),
    ("어", "EF", "반말"), ("잖아", "EF", "반말"), ("니까", "EC", "반말"), ("는데요", "EC", "해요체"),
])
def test_hao_che_is_formal_and_a_final_connective_is_colloquial(form: str, tag: str, level: str) -> None:
    from korean.speech import level_of_ending

    assert level_of_ending(form, tag) == level
