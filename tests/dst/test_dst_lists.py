"""Offered lists found by their form (`dst.lists`) and the ordinal references that index them. The replies are
written for these tests (their own shops, products and courses)."""

from __future__ import annotations

import pytest

from dst import ContextInjector, HistoryTurn
from dst.analysis import Analyzer
from dst.tracker import Tracker


@pytest.fixture(scope="module")
def tracker(analyzer: Analyzer) -> Tracker:
    return Tracker(analyzer)


def test_labelled_entries_are_listed_by_their_ordinal(tracker: Tracker) -> None:
    reply = "두 곳이 있어요. 첫째는 해운대 파도소리서점, 둘째는 광안리 모래책방이에요."
    assert tracker.ordinal_list(reply) == ["해운대 파도소리서점", "광안리 모래책방"]
    spelled = "첫 번째는 초록공방 원데이, 두 번째는 하늘공방 정규반, 세 번째는 별빛공방 주말반이에요."
    assert tracker.ordinal_list(spelled) == ["초록공방 원데이", "하늘공방 정규반", "별빛공방 주말반"]


def test_quoted_names_are_the_options_of_a_prose_reply(tracker: Tracker) -> None:
    reply = "'달빛 라떼'는 고소하고, '새벽 콜드브루'는 산미가 있고, '흑당 밀크티'는 달콤해요."
    assert tracker.ordinal_list(reply) == ["달빛 라떼", "새벽 콜드브루", "흑당 밀크티"]


def test_parallel_segments_open_with_their_option(tracker: Tracker) -> None:
    topics = "반디익스프레스는 견적이 싸고, 바른운송은 후기가 좋고, 한결무빙은 주말 할증이 없어요."
    assert tracker.ordinal_list(topics) == ["반디익스프레스", "바른운송", "한결무빙"]
    priced = "기본 세차 1만 원, 실내 클리닝 5만 원, 광택 코팅 15만 원 코스가 있어요."
    assert tracker.ordinal_list(priced) == ["기본 세차", "실내 클리닝", "광택 코팅"]
    timed = "오전 9시 바다호, 오후 2시 누리호가 있어요."
    assert "바다호" in tracker.ordinal_list(timed)[0] and "누리호" in tracker.ordinal_list(timed)[1]


def test_a_setting_before_the_first_option_is_not_an_option(tracker: Tracker) -> None:
    reply = "이번 주에는 마카롱 클래스, 타르트 클래스, 그리고 스콘 클래스가 열려요."
    assert tracker.ordinal_list(reply) == ["마카롱 클래스", "타르트 클래스", "스콘 클래스"]


def test_a_reply_with_one_option_offers_no_list(tracker: Tracker) -> None:
    assert tracker.ordinal_list("'달빛 라떼'가 제일 잘 나가요.") == []
    assert tracker.ordinal_list("네, 예약해 드렸어요.") == []


def test_an_ordinal_picks_the_option_of_a_prose_list(injector: ContextInjector) -> None:
    reply = "'달빛 라떼'는 고소하고, '새벽 콜드브루'는 산미가 있고, '흑당 밀크티'는 달콤해요."
    history = [HistoryTurn("user", "시그니처 음료 뭐 있어요?"), HistoryTurn("assistant", reply)]
    rewrite = injector.rewrite(history, "두 번째 거 디카페인 돼요?")
    assert "새벽 콜드브루" in rewrite.standalone and "두 번째" not in rewrite.standalone
    last = injector.rewrite(history, "마지막 거 얼마예요?")
    assert "흑당 밀크티" in last.standalone
