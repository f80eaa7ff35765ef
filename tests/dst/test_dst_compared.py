"""The option a gradable adjective picks by the amounts the reply gave (`dst.compared`)."""

from __future__ import annotations

from dst import ContextInjector, HistoryTurn
from dst.compared import scale_of


def _rw(injector: ContextInjector, question: str, reply: str, utterance: str) -> str:
    return injector.rewrite([HistoryTurn("user", question), HistoryTurn("assistant", reply)], utterance).standalone


def test_the_cheaper_side_is_the_smaller_price_however_it_is_written(injector: ContextInjector) -> None:
    reply = "'솔향 다원'의 '봄날 블렌드 세트'가 3만 2천 원이고, '한라 말차 세트'가 29,000원이에요."
    rw = _rw(injector, "선물용 차 세트 추천해 줘", reply, "더 싼 쪽으로 하나 포장해 줘")
    assert "한라 말차 세트" in rw and "봄날 블렌드" not in rw
    rw = _rw(injector, "선물용 차 세트 추천해 줘", reply, "비싼 쪽은 배송비 있어?")
    assert "봄날 블렌드 세트" in rw and "한라 말차" not in rw


def test_the_nearer_one_is_the_shorter_duration_in_hours_and_minutes(injector: ContextInjector) -> None:
    reply = "목포항 여객터미널에서 타면 약 4시간 10분, 완도항에서 타면 약 2시간 걸려요."
    rw = _rw(injector, "제주 가는 배 어디서 타?", reply, "시간 덜 걸리는 데까지 서울에서 가는 버스 있어?")
    assert "완도항" in rw and "목포항" not in rw


def test_amounts_on_another_scale_or_no_gradable_word_decide_nothing(injector: ContextInjector) -> None:
    reply = "'몬테 로사'는 6만 원대, '벨 루나'는 9만 원대예요."
    assert _rw(injector, "와인 추천해 줘", reply, "무거운 쪽은 글라스로도 팔아?") == "무거운 쪽은 글라스로도 팔아?"
    assert scale_of([("예쁘", "VA"), ("ᆫ", "ETM")]) is None
    assert scale_of([("비싸", "VA"), ("ᆫ", "ETM"), ("거", "NNB"), ("말", "VV"), ("고", "EC"), ("싸", "VA")]) == (
        "price", -1)
    assert scale_of([("덜", "MAG"), ("걸리", "VV"), ("는", "ETM")]) == ("duration", -1)
