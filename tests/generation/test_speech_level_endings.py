"""Speech-level repair keeps what an ending means, in all three directions.

One table of sentences written for this test: the source, the target level and the expected sentence. It covers
-네요/-군요/-거든요/-잖아요/-더라고요/-ㄹ게요/-ㄹ래요/-ㄹ까요/-죠/-나요/-ㄴ가요/-세요/-십시오/-ㅂ시다 and their 반말 and
합쇼체 counterparts, questions, statements, imperatives and propositives, listener honorifics in 반말 (-시-, 드시다,
드리다, 말씀) against a third person's, Kiwi's misreading of "드세요", and the formulaic expressions whose
counterpart is another expression (안녕히 주무세요 / 잘 자, 천만에요 / 천만의 말씀입니다, 감사합니다 / 고마워).
"""

from __future__ import annotations

import pytest

from generation.speech_level import SpeechLevelControl

CASES = [
    # 해요체 -> 합쇼체
    ("제가 내일 다시 연락할게요.", "합쇼체", "제가 내일 다시 연락하겠습니다."),
    ("같이 점심 먹을까요?", "합쇼체", "같이 점심 드시겠습니까?"),
    ("내일 비가 올까요?", "합쇼체", "내일 비가 오겠습니까?"),
    ("무엇을 도와드릴까요?", "합쇼체", "무엇을 도와 드리면 되겠습니까?"),
    ("벌써 다 끝났네요.", "합쇼체", "벌써 다 끝났습니다."),
    ("많이 바쁘시군요.", "합쇼체", "많이 바쁘시겠습니다."),
    ("그 가게는 일요일에 쉬거든요.", "합쇼체", "그 가게는 일요일에 쉽니다."),
    ("이미 알고 계시잖아요.", "합쇼체", "이미 알고 계시지 않습니까?"),
    ("어제 가 보니 사람이 많더라고요.", "합쇼체", "어제 가 보니 사람이 많았습니다."),
    ("저는 집에서 쉴래요.", "합쇼체", "저는 집에서 쉬겠습니다."),
    ("커피 한잔 하실래요?", "합쇼체", "커피 한잔 하시겠습니까?"),
    ("그렇죠?", "합쇼체", "그렇지 않습니까?"),
    ("회의는 언제 시작하죠?", "합쇼체", "회의는 언제 시작합니까?"),
    ("이 길이 맞나요?", "합쇼체", "이 길이 맞습니까?"),
    ("혹시 학생인가요?", "합쇼체", "혹시 학생입니까?"),
    ("잠시만 기다려 주세요.", "합쇼체", "잠시만 기다려 주십시오."),
    ("요즘 어떻게 지내세요?", "합쇼체", "요즘 어떻게 지내십니까?"),
    ("할머니께서 방에서 주무세요.", "합쇼체", "할머니께서 방에서 주무십니다."),
    ("맛있게 드세요.", "합쇼체", "맛있게 드십시오."),
    ("같이 해 봐요!", "합쇼체", "같이 해 봅시다!"),
    ("늦어서 미안해요.", "합쇼체", "늦어서 죄송합니다."),
    ("천만에요!", "합쇼체", "천만의 말씀입니다!"),
    ("안녕히 주무세요.", "합쇼체", "안녕히 주무십시오."),
    ("제가 할 거예요.", "합쇼체", "제가 할 것입니다."),
    # 해요체 / 합쇼체 -> 반말
    ("와 주셔서 고마워요.", "반말", "와 줘서 고마워."),
    ("선생님께서 이미 오셨어요.", "반말", "선생님께서 이미 오셨어."),
    ("맛있는 거 챙겨 드세요.", "반말", "맛있는 거 챙겨 먹어."),
    ("안녕히 주무세요.", "반말", "잘 자."),
    ("천만에요.", "반말", "천만에."),
    ("감사합니다!", "반말", "고마워!"),
    ("정말 죄송합니다.", "반말", "정말 미안해."),
    ("괜찮아요.", "반말", "괜찮아."),
    ("네, 제가 할게요.", "반말", "응, 내가 할게."),
    ("벌써 왔군요!", "반말", "벌써 왔구나!"),
    ("오늘 날씨가 좋네요.", "반말", "오늘 날씨가 좋네."),
    ("그건 제가 이미 말씀드렸잖아요.", "반말", "그건 내가 이미 말했잖아."),
    ("어디 가세요?", "반말", "어디 가?"),
    ("당신은 무엇을 좋아하세요?", "반말", "너는 무엇을 좋아해?"),
    ("이쪽으로 오십시오.", "반말", "이쪽으로 와."),
    ("같이 갑시다.", "반말", "같이 가자."),
    ("그 영화 재미있더라고요.", "반말", "그 영화 재미있더라고."),
    ("주말에 뭐 하나요?", "반말", "주말에 뭐 하나?"),
    ("어떻게 지내셨습니까?", "반말", "어떻게 지냈어?"),
    ("지금 어디 계세요?", "반말", "지금 어디 있어?"),
    # 반말 -> 해요체
    ("내가 할게.", "해요체", "제가 할게요."),
    ("같이 갈래?", "해요체", "같이 갈래요?"),
    ("우리 뭐 먹을까?", "해요체", "저희 뭐 먹을까요?"),
    ("벌써 끝났구나!", "해요체", "벌써 끝났군요!"),
    ("너도 알잖아.", "해요체", "당신도 알잖아요."),
    ("그 집 맛있더라.", "해요체", "그 집 맛있더라고요."),
    ("빨리 와라.", "해요체", "빨리 오세요."),
    ("같이 가자.", "해요체", "같이 가요."),
    ("응, 괜찮아.", "해요체", "네, 괜찮아요."),
    ("잘 자!", "해요체", "안녕히 주무세요!"),
    ("이거 맛있지?", "해요체", "이거 맛있죠?"),
    ("밥 먹었니?", "해요체", "밥 먹었어요?"),
    ("비가 와서.", "해요체", "비가 와서요."),
    ("일찍 자렴.", "해요체", "일찍 주무세요."),
    # 반말 -> 합쇼체
    ("내가 할게.", "합쇼체", "제가 하겠습니다."),
    ("잘 가!", "합쇼체", "안녕히 가십시오!"),
    ("그거 너도 알잖아.", "합쇼체", "그거 당신도 알지 않습니까?"),
    ("같이 가자.", "합쇼체", "같이 갑시다."),
    ("일찍 자렴.", "합쇼체", "일찍 주무십시오."),
    ("밥 먹었어?", "합쇼체", "밥 먹었습니까?"),
    ("비가 올까?", "합쇼체", "비가 오겠습니까?"),
    ("미안해.", "합쇼체", "죄송합니다."),
    ("고마워!", "합쇼체", "고맙습니다!"),
    ("그 사람 정말 친절하네.", "합쇼체", "그 사람 정말 친절합니다."),
    # 합쇼체 -> 해요체
    ("회의는 세 시에 시작합니다.", "해요체", "회의는 세 시에 시작해요."),
    ("어떻게 오셨습니까?", "해요체", "어떻게 오셨어요?"),
    ("이쪽으로 오십시오.", "해요체", "이쪽으로 오세요."),
    ("같이 갑시다.", "해요체", "같이 가요."),
    ("안녕히 가십시오.", "해요체", "안녕히 가세요."),
    ("천만의 말씀입니다.", "해요체", "천만에요."),
    ("많이 드십시오.", "해요체", "많이 드세요."),
    ("요즘 어떠십니까?", "해요체", "요즘 어떠세요?"),
    ("그렇지 않습니까?", "해요체", "그렇지 않아요?"),
]


@pytest.mark.parametrize(("source", "target", "expected"), CASES)
def test_repair_keeps_the_meaning_of_the_ending(speech: SpeechLevelControl, source: str, target: str,
                                                expected: str) -> None:
    repaired = speech.repair(source, target)  # type: ignore[arg-type]
    assert repaired == expected
    assert speech.violations(repaired, target) == []  # type: ignore[arg-type]


def test_the_table_covers_every_direction(speech: SpeechLevelControl) -> None:
    directions = {(level, target) for source, target, _ in CASES for level in
                  {s.level for s in speech.analyse(source) if s.level is not None}}
    levels = ("합쇼체", "해요체", "반말")
    assert {(a, b) for a in levels for b in levels if a != b} <= directions
    assert len(CASES) >= 40


def test_a_third_persons_honorific_stays_in_banmal(speech: SpeechLevelControl) -> None:
    assert speech.repair("할머니가 오세요.", "반말") == "할머니가 오셔."
    assert speech.repair("오셔서 고마워요.", "반말") == "와서 고마워."


def test_sentences_after_a_request_stay_requests_in_hapsyo(speech: SpeechLevelControl) -> None:
    text = "더위 조심하세요! 물 자주 마시고 시원하게 지내요. 저는 여기 있어요."
    assert speech.repair(text, "합쇼체") == "더위 조심하십시오! 물 자주 마시고 시원하게 지내십시오. 저는 여기 있습니다."
    assert speech.repair("좋은 꿈 꾸세요. 내일 또 만나요!", "합쇼체") == "좋은 꿈 꾸십시오. 내일 또 만납시다!"


def test_compound_nouns_are_not_respaced(speech: SpeechLevelControl) -> None:
    assert speech.repair("정답은 최저임금이에요!", "반말") == "정답은 최저임금이야!"
    assert speech.repair("저는 AI예요.", "반말") == "나는 AI야."


@pytest.mark.parametrize(("sentence", "target"), [
    ("잘 자요!", "해요체"), ("별말씀을요.", "해요체"), ("잘 가라.", "반말"),
    ("네, 맞아요.", "해요체"), ("천만에요.", "해요체"),
])
def test_a_sentence_already_at_the_target_level_is_kept(speech: SpeechLevelControl, sentence: str,
                                                        target: str) -> None:
    assert speech.repair(sentence, target) == sentence  # type: ignore[arg-type]


@pytest.mark.parametrize(("sentence", "banmal"), [("정말요?", "정말?"), ("왜요?", "왜?"), ("내일요.", "내일.")])
def test_the_polite_particle_on_a_word_is_not_conjugated(speech: SpeechLevelControl, sentence: str,
                                                        banmal: str) -> None:
    # Kiwi reads the "요" of "정말요?" as a verbal ending; conjugating it once gave "정말ᆸ니까?".
    assert speech.repair(sentence, "반말") == banmal
    assert speech.repair(sentence, "합쇼체") == sentence
