"""Dialogue state: tracking, serialisation and the KLUE-WoS domain-slot-value convention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dst import ContextInjector, DialogueState, DstInputError
from dst.analysis import Analyzer
from dst.tracker import Tracker
from dst.types import MAX_REPLY_CHARS
from dst.wos import clock_value, state_from_wos, state_to_wos

WOS_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "klue_wos" / "wos-v1.1_dev_sample_10.json"


@pytest.fixture(scope="module")
def tracker(analyzer: Analyzer) -> Tracker:
    return Tracker(analyzer)


def test_entities_are_typed_by_morphology_and_lexicon(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "다음 주 금요일 저녁 6시에 광교 호수공원에서 지수 씨 만나", "user")
    types = {e.text: e.type for e in state.entities}
    assert types["다음 주 금요일 저녁 6시"] == "time"
    assert types.get("광교 호수공원") == "place"
    assert any(t == "person" and "지수" in text for text, t in types.items())


def test_repeated_mention_moves_to_most_recent_without_duplicating(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "울산 날씨 알려줘", "user")
    state = tracker.observe(state, "울산은 맑아요.", "assistant")
    assert [e.text for e in state.entities].count("울산") == 1
    assert next(e for e in state.entities if e.text == "울산").turn == 2


def test_answer_to_wh_question_is_a_referent_not_a_description(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "헤어질 결심 감독이 누구야?", "user")
    state = tracker.observe(state, "박찬욱 감독이에요.", "assistant")
    answer = next(e for e in state.entities if e.text == "박찬욱 감독")
    assert not answer.predicative and answer.salience == 3


def test_copula_types_the_topic_name(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "해인사는 합천에 있는 유명한 사찰이에요.", "assistant")
    assert next(e for e in state.entities if e.text == "해인사").type == "place"


def test_numbered_list_needs_markers_counting_from_one(tracker: Tracker) -> None:
    assert tracker.ordinal_list("평점은 3.6점이에요. 2. 이건 목록이 아니에요") == []
    offered = tracker.ordinal_list("1. 경의선숲길 2. 연남동 3. 망원시장을 추천해요.")
    assert offered == ["경의선숲길", "연남동", "망원시장"]
    assert tracker.ordinal_list("1번 '하늘 텐트'(20만 원), 2번 '바다 타프'가 있어요.") == ["하늘 텐트", "바다 타프"]


def test_conjoined_nouns_form_an_offered_list(tracker: Tracker) -> None:
    assert tracker.ordinal_list("칼국수랑 수제비가 맛있어요.") == ["칼국수", "수제비"]


def test_topic_is_the_last_attribute_the_user_asked(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "롯데월드 입장료 알려줘", "user")
    assert state.topic == "입장료"


def test_state_round_trips_through_json(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "내일 점심 12시에 을지로 식당 2명 예약해줘", "user")
    state = tracker.observe(state, "1. 을지면옥 2. 우래옥 중에 고르세요.", "assistant")
    again = DialogueState.from_dict(json.loads(json.dumps(state.to_dict(), ensure_ascii=False)))
    assert again == state and again.lists[-1].numbered and again.last_reply == "1. 을지면옥 2. 우래옥 중에 고르세요."


def test_the_last_reply_is_kept_with_its_question_and_dropped_by_the_next(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "하늘 미술학원 수강료 얼마예요?", "user")
    state = tracker.observe(state, "월 15만 원이에요. " * 40, "assistant")
    assert state.last_reply is not None and len(state.last_reply) == MAX_REPLY_CHARS
    thanked = tracker.observe(state, "감사합니다", "user")
    assert thanked.last_query == state.last_query and thanked.last_reply == state.last_reply
    reacted = tracker.observe(state, "아 아쉽다.", "user")  # a bare reaction asks nothing either
    assert reacted.last_query == state.last_query
    asked = tracker.observe(state, "지하철 막차 몇 시야?", "user")
    assert asked.last_reply is None
    assert DialogueState.from_dict({"turn": 1}).last_reply is None  # a state stored before the field reads as none


@pytest.mark.parametrize(
    "bad",
    [[], {"entities": [{"text": "x"}]}, {"entities": [{"text": "x", "type": "alien", "turn": 1}]},
     {"lists": [{"items": "abc"}]}, {"topic": 3}, {"turn": "many"}, {"last_reply": ["x"]}],
)
def test_malformed_state_dict_is_refused(bad: object) -> None:
    with pytest.raises(DstInputError):
        DialogueState.from_dict(bad)


def test_restaurant_turn_fills_wos_slots(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "금요일 저녁 7시에 종로 식당 4명 예약해줘", "user")
    wos = state_to_wos(state)
    assert "식당-예약 요일-금요일" in wos and "식당-예약 시간-19:00" in wos and "식당-예약 명수-4" in wos


def test_new_slot_value_replaces_the_old_one(tracker: Tracker) -> None:
    state = tracker.observe(DialogueState(), "오늘 대전 날씨 알려줘", "user")
    state = tracker.observe(state, "내일 세종 날씨 알려줘", "user")
    assert state.slots["일반-장소"] == "세종" and state.slots["일반-시간"] == "내일"


def test_clock_value_uses_the_24_hour_wos_format() -> None:
    assert clock_value("오후 3시 반") == "15:30" and clock_value("23시20분") == "23:20" and clock_value("내일") is None
    assert clock_value("저녁 일곱 시") == "19:00" and clock_value("세 시간") is None


@pytest.mark.skipif(not WOS_SAMPLE.exists(), reason="KLUE-WoS sample not present")
def test_every_klue_wos_state_round_trips() -> None:
    dialogues = json.loads(WOS_SAMPLE.read_text(encoding="utf-8"))
    states = [t["state"] for d in dialogues for t in d["dialogue"] if t["role"] == "user"]
    assert states
    for items in states:
        assert state_to_wos(state_from_wos(items)) == sorted(items)


@pytest.mark.parametrize("bad", ["식당-이름", "", "--", 5])
def test_from_wos_refuses_non_triples(bad: object) -> None:
    with pytest.raises(DstInputError):
        state_from_wos([bad])  # type: ignore[list-item]


def test_rewrite_trace_is_json_and_carries_state_only_on_request(injector: ContextInjector) -> None:
    rw = injector.rewrite([], "내일 서울 날씨 어때?")
    trace = json.loads(json.dumps(rw.to_dict(), ensure_ascii=False))
    assert trace["standalone"] == "내일 서울 날씨 어때?" and "state" not in trace
    assert DialogueState.from_dict(rw.to_dict(include_state=True)["state"]) == rw.state


def test_a_stored_list_from_before_the_numbered_flag_reads_as_unnumbered() -> None:
    state = DialogueState.from_dict({"lists": [{"items": ["A", "B"], "turn": 2}], "turn": 2})
    assert state.lists[0].items == ("A", "B") and not state.lists[0].numbered


def test_a_listed_titled_name_keeps_the_syllable_kiwi_reads_as_a_particle(tracker: Tracker) -> None:
    # Kiwi reads "반은이 세무사" as 반은 + the subject particle; the option is the person the reply named
    offered = tracker.ordinal_list("상담 가능한 분은 오서진 세무사, 강다은 세무사, 반은이 세무사예요.")
    assert offered == ["오서진 세무사", "강다은 세무사", "반은이 세무사"]


def test_a_labelled_entry_that_ends_with_a_person_offers_the_person_not_the_quoted_shop(tracker: Tracker) -> None:
    offered = tracker.ordinal_list("첫 번째는 '먹빛' 작가 오하람 님, 두 번째는 '붓길 공방' 대표 유서진 님이에요.")
    assert offered == ["오하람 님", "유서진 님"], offered
    # a quoted name with no person after it is still the entry
    assert tracker.ordinal_list("첫 번째는 '먹빛 공방', 두 번째는 '붓길 공방'이에요.") == ["먹빛 공방", "붓길 공방"]


def test_a_comma_list_of_names_kiwi_cuts_is_read_by_its_written_words(tracker: Tracker) -> None:
    # Kiwi's chunks give "세탁" and "망원" for the first and last entries; the middle entry says how many words an
    # entry has
    offered = tracker.ordinal_list("평점 순서로 마포 한결세탁, 합정 으뜸세탁, 망원 고운빛세탁이 있어요.")
    assert offered == ["마포 한결세탁", "합정 으뜸세탁", "망원 고운빛세탁"], offered
