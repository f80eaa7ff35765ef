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
