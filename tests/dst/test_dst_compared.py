"""The option a gradable adjective picks by the amounts the reply gave (`dst.compared`)."""

from __future__ import annotations

from dst import ContextInjector, HistoryTurn
from dst.compared import said_budget, said_price, scale_of


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


def test_an_option_named_by_its_price_is_the_one_the_reply_priced_so(injector: ContextInjector) -> None:
    reply = "손으로 깎은 '나무 팽이'가 7천 원이고, 색실을 감은 '오색 공기'가 4천 원이에요."
    rw = _rw(injector, "체험장에서 기념품 뭐 팔아?", reply, "4천 원짜리 그거 포장도 돼?")
    assert rw == "4천 원짜리 오색 공기 포장도 돼?"
    # a price no option has decides nothing: the anaphor is left to the ranker
    history = [HistoryTurn("user", "체험장에서 기념품 뭐 팔아?"), HistoryTurn("assistant", reply)]
    result = injector.rewrite(history, "5천 원짜리 그거 포장도 돼?")
    assert not any("+priced" in r.rule for r in result.resolutions)


def test_said_price_reads_the_amount_before_jjari() -> None:
    assert said_price([("3", "SN"), ("천", "NR"), ("원", "NNB"), ("짜리", "XSN")]) == 3000
    assert said_price([("월", "NNG"), ("2,800", "SN"), ("원", "NNB"), ("짜리", "XSN")]) == 2800
    assert said_price([("6", "SN"), ("kW", "SL"), ("짜리", "XSN")]) is None


def test_a_budget_picks_the_one_option_priced_within_it(injector: ContextInjector) -> None:
    reply = "'바람돌이 프로'는 바퀴가 크고 21만 원, '새싹 런'은 가볍고 9만 원이에요."
    for utterance in ("예산이 10만 원이라서. 그거 사이즈 몇까지 나와?", "12만 원 이하로 살래. 그거 색상 뭐 있어?"):
        rw = _rw(injector, "인라인 스케이트 두 개만 추천해 줘.", reply, utterance)
        assert "새싹 런" in rw and "바람돌이" not in rw, rw
    assert said_budget([("3", "SN"), ("만", "NR"), ("원", "NNB"), ("까지", "JX")]) == 30_000
    assert said_budget([("3", "SN"), ("만", "NR"), ("원", "NNB"), ("이", "VCP")]) is None  # a price, no ceiling


def test_a_time_of_day_is_graded_by_the_clock_times_the_reply_gave(injector: ContextInjector) -> None:
    reply = "'솔밭 탁구장'은 저녁 8시에 닫고, '라켓하우스'는 밤 11시까지 해요."
    rw = _rw(injector, "탁구장 두 군데 알려 줘", reply, "늦게까지 하는 데로 갈래. 거기 주차돼?")
    assert "라켓하우스" in rw and "솔밭" not in rw, rw
    rw = _rw(injector, "탁구장 두 군데 알려 줘", reply, "일찍 닫는 데로 갈래. 거기 주차돼?")
    assert "솔밭 탁구장" in rw and "라켓하우스" not in rw, rw
