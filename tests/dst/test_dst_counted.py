"""A counted request for more of the exchange's thing (`dst.counted`)."""

from __future__ import annotations

import pytest

from dst import ContextInjector, HistoryTurn


def _rw(injector: ContextInjector, question: str, reply: str, utterance: str) -> str:
    return injector.rewrite([HistoryTurn("user", question), HistoryTurn("assistant", reply)], utterance).standalone


def test_a_counted_order_with_only_a_variant_of_its_own_orders_the_framed_thing(injector: ContextInjector) -> None:
    rw = _rw(injector, "'별빛 캔들 세트' 얼마야?", "기본 구성은 2만 원이고, 선물 포장 포함은 2만 5천 원이에요.",
             "포장 없는 걸로 세 개 주문해 줘.")
    assert rw == "포장 없는 걸로 별빛 캔들 세트 세 개 주문해 줘.", rw


def test_a_counted_order_after_a_question_about_a_shop_orders_what_the_reply_named(injector: ContextInjector) -> None:
    rw = _rw(injector, "산들캠프에서 매트도 빌려줘?",
             "네, 에어 매트를 1박에 4천 원에 빌려 드려요. 전기 매트는 빌려 드리지 않아요.", "두 개 예약해 줘.")
    assert rw == "에어 매트 두 개 예약해 줘.", rw


@pytest.mark.parametrize("utterance", ["우유 두 개 주문해 줘.", "빵도 두 개 주문해 줘.",
                                       "'보리 식빵' 두 개 주문해 줘."])
def test_an_order_with_an_object_of_its_own_or_no_order_stays(injector: ContextInjector, utterance: str) -> None:
    assert _rw(injector, "'별빛 캔들 세트' 얼마야?", "기본 구성은 2만 원이에요.", utterance) == utterance


def test_a_counted_request_after_a_question_about_an_attribute_orders_the_thing_by_its_full_name(
        injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "장바구니에 뭐 있어?"),
               HistoryTurn("assistant", "'초록들 현미 누룽지' 2개와 '바삭 김부각' 1개가 담겨 있어요."),
               HistoryTurn("user", "현미 누룽지는 보관 기간 얼마나 돼?"),
               HistoryTurn("assistant", "'초록들 현미 누룽지'는 서늘한 곳에서 6개월이에요.")]
    rw = injector.rewrite(history, "세 개 더 담아 줘.").standalone
    assert rw == "초록들 현미 누룽지 세 개 더 담아 줘.", rw
    assert injector.rewrite(history, "세 개 더 담아 줘.").resolutions[0].rule == "zero.counted"
    # a counted question is read by the zero rules first, as a question about the frame
    asked = injector.rewrite(history, "세 개 더 살 수 있어?")
    assert asked.standalone.startswith("초록들 현미 누룽지") and asked.resolutions[0].rule != "zero.counted", asked


@pytest.mark.parametrize(("question", "reply", "utterance", "expected"), [
    ("삼겹살 한 근이랑 목살 500g 얼마예요?", "삼겹살 한 근은 1만 8천 원, 목살 500g은 1만 6천 원이에요.",
     "맛있어 보이네요. 한 근만 더 넣어 주세요.", "맛있어 보이네요. 삼겹살 한 근만 더 넣어 주세요."),
    ("숙소에서 음료 주문돼?",
     "네, 프런트에서 '자몽 에이드'랑 '바닐라 라떼'를 주문할 수 있어요. 방금 자몽 에이드 한 잔 주문해 드렸어요.",
     "두 잔 더 주문해 줘.", "자몽 에이드 두 잔 더 주문해 줘."),
])
def test_more_in_the_counter_the_reply_counted_one_thing_in_is_more_of_that_thing(
        injector: ContextInjector, question: str, reply: str, utterance: str, expected: str) -> None:
    assert _rw(injector, question, reply, utterance) == expected


def test_a_count_glued_to_its_counter_counts_too(injector: ContextInjector) -> None:
    rw = _rw(injector, "'들판 4인용 텐트' 예약하면서 접이식 테이블도 같이 빌렸어.",
             "네, '들판 4인용 텐트' 예약에 접이식 테이블 1개가 추가돼 있어요. 랜턴은 아직 추가하지 않으셨어요.",
             "두 개 더 추가해 줘.")
    assert rw == "접이식 테이블 두 개 더 추가해 줘.", rw
