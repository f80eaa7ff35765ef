from __future__ import annotations

import json

import pytest

from retrieval import Calibration, ResponseIndex
from retrieval.records import make_record
from retrieval.selector import select


@pytest.mark.parametrize("query", ["안녕하세요", "안녕", "반가워요", "고마워요", "감사합니다", "잘 가", "잘 자요"])
def test_greetings_thanks_and_goodbyes_are_retrieved(default_index: ResponseIndex, calibration: Calibration,
                                                     query: str) -> None:
    chosen = select(default_index, calibration, query)
    assert chosen.decision == "retrieve"
    assert chosen.hit is not None and chosen.hit.question == query


@pytest.mark.parametrize(("query", "intent"), [
    ("안녕하세요~", "greeting"),
    ("정말 감사해요", "thanks"),
    ("너는 뭘 할 수 있니?", "capabilities"),
    ("너 이름이 뭐니", "name"),
    ("너무너무 피곤하다", "tired"),
    ("배고파 죽겠다", "hungry"),
])
def test_rephrased_stored_questions_retrieve_their_intent(default_index: ResponseIndex, calibration: Calibration,
                                                          query: str, intent: str) -> None:
    chosen = select(default_index, calibration, query)
    assert chosen.decision == "retrieve"
    assert chosen.hit is not None and chosen.hit.intent == intent


@pytest.mark.parametrize(("query", "mine", "theirs"), [
    ("주식 추천해줘", "주식", "메뉴"),
    ("오늘 날씨 어때?", "날씨", "기분"),
])
def test_a_stored_question_on_another_topic_in_the_same_frame_is_not_retrieved(
        default_index: ResponseIndex, calibration: Calibration, query: str, mine: str, theirs: str) -> None:
    chosen = select(default_index, calibration, query)
    assert chosen.decision == "generate"
    assert "near-miss" in chosen.reason and mine in chosen.reason and theirs in chosen.reason


def test_topic_swap_check_keeps_shared_topics_time_words_and_verbal_nouns(analyzer: object) -> None:
    from retrieval.nearmiss import near_miss

    assert near_miss(analyzer, "점심 뭐 먹지?", "점심 뭐 먹을까") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "나 오늘 생일이야", "오늘 내 생일이야") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "회사 가기 싫어", "가기 싫어") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "내일 공부할까", "오늘 공부할까") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "3시에 깨워줘", "5시에 깨워줘") == "is about 5, the query about 3"  # type: ignore[arg-type]


@pytest.mark.parametrize("query", [
    "서울에서 부산까지 KTX 요금이 얼마야?",
    "파이썬으로 리스트 정렬하는 코드 짜줘",
    "대한민국 헌법 제1조의 내용은?",
    "내일 아침 7시에 알람 맞춰줘",
])
def test_out_of_domain_questions_go_to_generation(default_index: ResponseIndex, calibration: Calibration,
                                                  query: str) -> None:
    assert select(default_index, calibration, query).decision == "generate"


@pytest.mark.parametrize("query", ["", "   ", "😀😀", "?!?!", "\x00\x01", "ㅋ" * 5000, "a" * 100_000,
                                   "\ud7a3\u3131", "hello world", "SELECT * FROM users; --"])
def test_any_string_gives_a_selection_without_raising(default_index: ResponseIndex, calibration: Calibration,
                                                      query: str) -> None:
    chosen = select(default_index, calibration, query)
    assert chosen.decision in {"retrieve", "generate"}
    assert 0.0 <= chosen.score <= 1.0
    assert chosen.reason
    json.dumps(chosen.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("query", ["", "😀", "?!"])
def test_contentless_queries_generate_with_a_reason(default_index: ResponseIndex, calibration: Calibration,
                                                    query: str) -> None:
    chosen = select(default_index, calibration, query)
    assert chosen.decision == "generate" and chosen.hit is None and chosen.score == 0.0


def test_empty_response_set_generates(analyzer: object, calibration: Calibration) -> None:
    empty = ResponseIndex.build("empty", [], analyzer)  # type: ignore[arg-type]
    chosen = select(empty, calibration, "안녕하세요")
    assert chosen.decision == "generate" and "empty" in chosen.reason


def test_trace_lists_candidates_with_per_retriever_scores(default_index: ResponseIndex,
                                                          calibration: Calibration) -> None:
    trace = select(default_index, calibration, "고마워요").to_dict()
    assert trace["hit"]["scores"].keys() == {"bm25", "char"}
    assert 1 <= len(trace["candidates"]) <= 5
    assert trace["threshold"] == pytest.approx(calibration.threshold, abs=1e-4)


def test_confidence_is_higher_for_the_exact_question_than_for_a_partial_one(
        analyzer: object, calibration: Calibration) -> None:
    records = [make_record({"question": "부산 가는 기차표 예매해줘", "answer": "예매 화면을 열게요."}),
               make_record({"question": "서울 맛집 추천해줘", "answer": "맛집 목록이에요."})]
    index = ResponseIndex.build("t", records, analyzer)  # type: ignore[arg-type]
    exact = select(index, calibration, "부산 가는 기차표 예매해줘").score
    partial = select(index, calibration, "부산 날씨 알려줘").score
    assert exact > partial


def test_a_question_about_a_topic_a_topicless_stored_question_lacks_is_a_near_miss(
        analyzer: object, default_index: ResponseIndex, calibration: Calibration) -> None:
    from retrieval.nearmiss import near_miss

    assert near_miss(analyzer, "임진왜란은 언제 일어났어?", "일어났어") is not None  # type: ignore[arg-type]
    assert near_miss(analyzer, "회사 가기 싫어", "가기 싫어") is None  # type: ignore[arg-type]  # adds, asks nothing
    assert near_miss(analyzer, "오늘 뭐 먹지?", "뭐 먹을까") is None  # type: ignore[arg-type]  # asks the same
    # the stored question has its own topic: a rewording of it, not a near-miss
    assert near_miss(analyzer, "그 사람 이상형은 뭘까", "그 사람 이상형이 궁금해") is None  # type: ignore[arg-type]
    chosen = select(default_index, calibration, "임진왜란은 언제 일어났어?")
    assert chosen.decision == "generate" and "near-miss" in chosen.reason and "임진왜란" in chosen.reason
    assert select(default_index, calibration, "일어났어?").decision == "retrieve"


@pytest.mark.parametrize("reaction", ["정말요?", "진짜?", "응", "그래", "네"])
def test_a_bare_reaction_goes_to_generation_unless_stored_as_it_is(
        default_index: ResponseIndex, calibration: Calibration, reaction: str) -> None:
    chosen = select(default_index, calibration, reaction)
    assert chosen.decision == "generate", chosen.reason


def test_a_reaction_stored_as_it_is_and_thanks_still_retrieve(analyzer: object, default_index: ResponseIndex,
                                                             calibration: Calibration) -> None:
    from retrieval.nearmiss import near_miss

    assert near_miss(analyzer, "헐", "헐") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "정말요?", "정말 고마워") is not None  # type: ignore[arg-type]
    for query in ("정말 고마워", "안녕", "고마워"):
        assert select(default_index, calibration, query).decision == "retrieve"


def test_a_lone_predicate_does_not_take_the_answer_about_a_topic(analyzer: object) -> None:
    from retrieval.nearmiss import near_miss

    assert near_miss(analyzer, "싫어", "출근 싫어") is not None  # type: ignore[arg-type]
    assert near_miss(analyzer, "배고파", "배고파") is None  # type: ignore[arg-type]
    assert near_miss(analyzer, "출근 싫어", "출근하기 싫어") is None  # type: ignore[arg-type]
