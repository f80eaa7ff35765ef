"""Conversational -> keyword normalisation: general morphology rules on phrasings outside the dev set."""

from __future__ import annotations

import pytest

from generation.skills.keywords import KeywordNormalizer


@pytest.fixture(scope="module")
def normalizer(kiwi) -> KeywordNormalizer:
    return KeywordNormalizer(kiwi)


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("내일 부산 습도가 어느 정도니", "내일 부산 습도"),
        ("이번 달 전기요금이 얼마야", "이번 달 전기요금"),
        ("다음 주 수요일 회의 장소가 어디야", "다음 주 수요일 회의 장소"),
    ],
)
def test_wh_predicate_frame_is_dropped_with_its_particle(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("가습기 좀 틀어 줘", "가습기 틀기"),
        ("서재 스탠드 꺼 줄 수 있니", "서재 스탠드 끄기"),
        ("토요일 저녁 여섯시에 회의 일정 잡아줘", "토요일 저녁 여섯시 회의 일정 잡기"),
    ],
)
def test_request_becomes_nominalised_without_benefactive_or_modal(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


def test_yes_no_question_becomes_embedded_clause(normalizer):
    assert normalizer.normalize("오늘 수원 날씨가 춥니") == "오늘 수원 날씨 추운지"
    assert normalizer.normalize("거실 창문 열려 있니") == "거실 창문 열렸는지"


def test_telling_frame_around_embedded_question_is_dropped(normalizer):
    assert normalizer.normalize("주말에 제주도에 비가 오는지 알려줄래") == "주말 제주도 비 오는지"


def test_locative_particle_kept_before_a_predicate(normalizer):
    out = normalizer.normalize("거실에 있는 조명 켜 줘")
    assert out.startswith("거실에 있는")
    assert out.endswith("켜기")


def test_keyword_query_is_left_unchanged(normalizer):
    assert normalizer.normalize("강남역 파스타 맛집") == "강남역 파스타 맛집"


def test_batch_matches_single_calls(normalizer):
    items = ["가습기 좀 틀어 줘", "이번 달 전기요금이 얼마야", "강남역 파스타 맛집"]
    assert normalizer.normalize_batch(items) == [normalizer.normalize(s) for s in items]


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("동생 졸업식이 언제니", "동생 졸업식"),
        ("지금 욕실 습도가 몇 퍼센트야", "지금 욕실 습도"),
        ("거실 온도 몇 도까지 올라가", "거실 온도"),
    ],
)
def test_question_word_as_predicate_or_measure_adds_no_head_noun(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


def test_count_question_names_the_count_not_the_existence(normalizer):
    assert normalizer.normalize("이번 학기 휴강이 몇 번이었는지 알려줘") == "이번 학기 휴강 횟수"
    assert normalizer.normalize("냉장고에 달걀이 몇 개 있니").endswith("달걀 수")


def test_first_and_second_person_pronouns_are_dropped(normalizer):
    assert normalizer.normalize("제 여권 만료일이 언제야") == "여권 만료일"
    assert normalizer.normalize("너 지난주에 산 책 찾아 줘") == "지난주에 산 책"


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("복도에서 뛰면 안 돼", "복도에서 뛰지 않기"),
        ("자정 넘어서 세탁기 돌리면 안 됩니다", "자정 넘어서 세탁기 돌리지 않기"),
    ],
)
def test_prohibition_with_myeon_an_dwae_becomes_ji_ankhi(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("수업 시간에 떠들어서는 안 돼", "수업 시간에 떠들지 않기"),
        ("끝까지 포기하면 안 돼 파이팅", "끝까지 포기하지 않기"),
        ("과식을 하지 마세요", "과식하지 않기"),
    ],
)
def test_prohibition_forms_need_no_learned_type(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("밤늦게 혼자 걷는 건 위험해", "밤늦게 혼자 걷지 않기"),
        ("복도에서는 뛰지 않는 게 좋아", "복도에서 뛰지 않기"),
        ("창문 열어 두면 감기 걸려", "창문 열어 두지 않기"),
        ("야식 그만 먹어", "야식 먹지 않기"),
        ("청소 그만해", "청소하지 않기"),
        ("과속은 위험해", "과속하지 않기"),
        ("실내 흡연을 금합니다", "실내 흡연하지 않기"),
        ("부담 갖지 마 다 잘 될 거야", "부담 갖지 않기"),
    ],
)
def test_a_learned_prohibition_names_the_act_its_form_only_implies(normalizer, utterance, expected):
    assert normalizer.analyse_batch([utterance], ["prohibition"])[0] == [expected]
    assert not normalizer.normalize(utterance).endswith("않기")  # without the type the rules do not guess it


def test_what_is_asked_instead_of_the_declined_is_never_forbidden(normalizer):
    utterance = "야식 먹지 말고 일찍 자"
    assert normalizer.analyse_batch([utterance], ["prohibition"])[0] == ["일찍 자기"]


def test_can_you_is_a_request_unless_the_learned_type_asks_whether_it_can_be_done(normalizer):
    utterances = ["사진 복원할 수 있니", "오늘 안에 다 읽을 수 있을까"]
    assert normalizer.normalize_batch(utterances) == ["사진 복원하기", "오늘 안에 다 읽기"]
    asked = normalizer.analyse_batch(utterances, ["yes/no"] * 2)[0]
    assert asked == ["사진 복원 가능 여부", "오늘 안에 다 읽을 수 있는지"]


def test_a_learned_type_settles_what_the_ending_leaves_open(normalizer):
    utterances = ["보일러 켜져 있어", "같이 청소하자 곧 손님 오잖아"]
    assert normalizer.normalize_batch(utterances) == ["보일러 켜져 있기", "같이 청소하자 곧 손님 오기"]
    assert normalizer.analyse_batch(utterances, ["yes/no", "yes/no"])[0][0] == "보일러 켜졌는지"
    assert normalizer.analyse_batch(utterances, ["request", "request"])[0][1] == "같이 청소하기"


def test_asking_permission_is_not_a_prohibition(normalizer):
    assert not normalizer.normalize("여기서 사진 찍으면 안 되니").endswith("않기")


def test_invitation_with_l_lae_becomes_a_request(normalizer):
    assert normalizer.normalize("주말에 같이 등산 갈래").endswith("등산 가기")


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("어제 택배 누가 가져간 거니", "어제 택배 가져간 사람"),
        ("회의 몇 시에 시작하는 거야", "회의 시작하는 시간"),
        ("영수증은 이미 버린 거지", "영수증 이미 버렸는지"),
        ("이 우유 아직 먹어도 되는 거야", "이 우유 아직 먹어도 되는지"),
    ],
)
def test_thing_copula_question_asks_about_the_clause_itself(normalizer, utterance, expected):
    out = normalizer.normalize(utterance)
    assert out == expected
    assert "거인지" not in out


def test_thing_copula_keeps_the_prospective_and_tells_with_a_statement(normalizer):
    assert normalizer.normalize("다음 달에 이사 갈 건가요") == "다음 달 이사 갈지"
    assert normalizer.normalize("내일은 정문 앞에서 모이는 거다") == "내일 정문 앞에서 모이기"


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("점심은 국수 먹을까 비빔밥 먹을까", "점심 국수와 비빔밥 중 먹을 것"),
        ("토요일에 만날까 아니면 일요일에 만날까", "토요일과 일요일 중 만날 것"),
        ("김치찌개가 나을까 된장찌개가 나을까", "김치찌개와 된장찌개 중 나은 것"),
    ],
)
def test_alternatives_on_one_predicate_name_the_options(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("오늘 우산 챙길까 그냥 나갈까", "오늘 우산 챙길지 그냥 나갈지"),
        ("이 버섯은 식용이니 독버섯이니", "이 버섯 식용인지 독버섯인지"),
    ],
)
def test_alternatives_on_different_predicates_become_embedded_questions(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected


def test_repeated_or_unparallel_clauses_are_not_alternatives(normalizer):
    assert normalizer.normalize("창문 열어 창문 열어").endswith("창문 열기")
    # "-ㄹ 테니" gives a reason; the request after it is the only one
    assert normalizer.normalize("세탁기 돌릴 테니 건조기 좀 켜 주겠니") == "건조기 켜기"
    assert " 중 " not in normalizer.normalize("거실 불 켜져 있지 않니")


@pytest.mark.parametrize(
    ("typed", "bare"),
    [("어디가 더 따뜻해?", "어디가 더 따뜻해"), ("언제 도착하니?", "언제 도착하니"), ("창문 열지 마!", "창문 열지 마"),
     ("에어컨 좀 꺼 줄래?", "에어컨 좀 꺼 줄래"), ("내일 서울 날씨 어때?", "내일 서울 날씨 어때")],
)
def test_typed_punctuation_changes_nothing_but_the_question_mark(normalizer, typed, bare):
    assert normalizer.normalize(typed) == normalizer.normalize(bare)
    assert "?" not in normalizer.normalize(typed) and "!" not in normalizer.normalize(typed)


def test_a_question_mark_makes_a_plain_verb_ending_a_question(normalizer):
    assert normalizer.normalize("내일 비 와?") == "내일 비 오는지"
    assert normalizer.normalize("내일 비 와") == "내일 비 오기"


def test_opening_interjections_and_linking_adverbs_are_dropped(normalizer):
    assert normalizer.normalize("음, 그러니까 내일 비 와?") == "내일 비 오는지"
    assert normalizer.normalize("고마워. 근데 내일 날씨 어때?") == "내일 날씨"


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [("이체 수수료 어느 은행이 싸", "이체 수수료 싼 은행"),
     ("아이폰과 갤럭시 중 어느 쪽이 더 가벼워?", "아이폰과 갤럭시 중 더 가벼운 것"),
     ("수영이랑 헬스 중에 뭐가 더 좋아", "수영이랑 헬스 중 더 좋은 것")],
)
def test_a_which_question_names_what_is_chosen(normalizer, utterance, expected):
    assert normalizer.normalize(utterance) == expected
