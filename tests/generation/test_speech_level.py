"""Speech-level detection and repair with Kiwi, on sentences of every level and mood."""

from __future__ import annotations

import pytest

from generation.speech_level import SpeechLevelControl, level_of_ending


@pytest.mark.parametrize(("sentence", "level"), [
    ("회의는 세 시에 시작합니다.", "합쇼체"),
    ("서류를 언제 보내 주시겠습니까?", "합쇼체"),
    ("이쪽으로 오십시오.", "합쇼체"),
    ("점심 먹으러 가요.", "해요체"),
    ("그 책 재미있죠?", "해요체"),
    ("여기 앉으세요.", "해요체"),
    ("저는 대학생이에요.", "해요체"),
    ("밥 먹었어?", "반말"),
    ("같이 가자.", "반말"),
    ("그건 내 친구야.", "반말"),
    ("빨리 와라.", "반말"),
    ("벌써 끝났네.", "반말"),
])
def test_sentence_level_is_read_from_its_final_ending(speech: SpeechLevelControl, sentence: str,
                                                       level: str) -> None:
    (analysed,) = speech.analyse(sentence)
    assert analysed.level == level


def test_fragments_without_an_ending_have_no_level(speech: SpeechLevelControl) -> None:
    assert [s.level for s in speech.analyse("네! 물론이죠.")] == [None, "해요체"]
    assert speech.violations("네! 좋아.", "반말") == []


def test_level_of_ending_uses_kiwi_forms() -> None:
    assert level_of_ending("ᆸ니다") == "합쇼체"
    assert level_of_ending("ᆸ시다") == "합쇼체"
    assert level_of_ending("네요") == "해요체"
    assert level_of_ending("잖아") == "반말"
    assert level_of_ending("소", "EC") == "합쇼체"  # Kiwi tags 하오체 "반갑소" 소 as EC
    assert level_of_ending("니까", "EC") == "반말"  # "비가 오니까." is a connective, not 합쇼체 -ㅂ니까


@pytest.mark.parametrize("target", ["해요체", "합쇼체", "반말"])
@pytest.mark.parametrize("text", [
    "나는 어제 영화를 봤어. 정말 재미있었어. 너도 볼래?",
    "저희는 내일 부산으로 출발합니다. 준비는 다 되었습니까?",
    "주말에 뭐 해요? 저는 집에서 쉬어요. 같이 산책해요.",
    "그 사람은 제 동생이에요. 이번에 고등학생이 됐어요.",
])
def test_repair_brings_every_sentence_to_the_target_level(speech: SpeechLevelControl, text: str,
                                                          target: str) -> None:
    repaired = speech.repair(text, target)  # type: ignore[arg-type]
    assert speech.violations(repaired, target) == []  # type: ignore[arg-type]
    assert len(speech.analyse(repaired)) == len(speech.analyse(text))


def test_repair_to_polite_swaps_first_person_pronouns(speech: SpeechLevelControl) -> None:
    assert speech.repair("내가 먼저 갈게. 우리 집 앞에서 보자.", "해요체").startswith("제가 ")
    assert "저희 집" in speech.repair("우리 집 앞에서 만나.", "합쇼체")
    assert speech.repair("저는 학생입니다.", "반말") == "나는 학생이야."


def test_repair_keeps_sentences_already_at_the_target_level(speech: SpeechLevelControl) -> None:
    text = "오늘은 쉽니다. 내일 봐. 감사합니다!"
    repaired = speech.repair(text, "합쇼체")
    assert repaired.startswith("오늘은 쉽니다. ") and repaired.endswith(" 감사합니다!")
    assert speech.violations(repaired, "합쇼체") == []


def test_repair_to_banmal_drops_the_polite_yo_and_keeps_the_meaning(speech: SpeechLevelControl) -> None:
    assert speech.repair("더 열심히 할게요. 무엇을 도와드릴까요? 벌써 왔군요! 그렇죠?", "반말") == (
        "더 열심히 할게. 무엇을 도와 줄까? 벌써 왔구나! 그렇지?")


def test_the_greeting_formula_is_swapped_whole(speech: SpeechLevelControl) -> None:
    assert speech.repair("안녕하세요! 반가워요.", "반말") == "안녕! 반가워."
    assert speech.repair("안녕하세요!", "합쇼체") == "안녕하십니까!"
    assert speech.repair("안녕하십니까?", "해요체") == "안녕하세요?"


def test_hao_che_is_formal(speech: SpeechLevelControl) -> None:
    assert [s.level for s in speech.analyse("참 반갑소. 어디로 가오? 먼 길 오셨구려.")] == ["합쇼체"] * 3
    assert speech.repair("참 반갑소.", "반말") == "참 반가워."


def test_copula_after_a_vowel_uses_yeyo(speech: SpeechLevelControl) -> None:
    assert speech.repair("여기가 우리 학교야.", "해요체") == "여기가 저희 학교예요."


def test_complete_prefix_drops_an_unfinished_last_sentence(speech: SpeechLevelControl) -> None:
    assert speech.complete_prefix("오늘은 비가 와요. 그래서 우산을") == "오늘은 비가 와요."
    assert speech.complete_prefix("오늘은 비가 와요. 내일은 맑아요") == "오늘은 비가 와요. 내일은 맑아요"
    assert speech.complete_prefix("그래서 우산을") == "그래서 우산을"
