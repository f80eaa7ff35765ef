"""The option a clause of the utterance picks before an anaphor (`dst.chosen`), and bare entry numbers ("2번")."""

from __future__ import annotations

import pytest

from dst import ContextInjector, HistoryTurn
from dst.anaphora import find_anaphors
from dst.chosen import chosen_option


def _rw(injector: ContextInjector, question: str, reply: str, utterance: str) -> str:
    return injector.rewrite([HistoryTurn("user", question), HistoryTurn("assistant", reply)], utterance).standalone


CAFES = "'파도소리 카페'는 루프탑 테라스가 있고, '솔밭 커피'는 실내 좌석만 있어요."


PICKS = [
    # the clause's words and what the reply said of each option
    ("강릉에 바다 보이는 카페 추천해 줘", CAFES, "루프탑이 좋겠다. 거기 주차 돼?", "파도소리 카페", ["거기", "솔밭"]),
    # a gradable word and the amounts of the reply
    ("가평 캠핑장 두 군데만 알려 줘", "'은하 캠핑장'은 1박 6만 원이고, '별밭 오토캠핑'은 1박 4만 5천 원이에요.",
     "좀 더 싼 데로 할게. 거기 전기 쓸 수 있어?", "별밭 오토캠핑", ["은하"]),
    # 있 / 없 break a tie; a name right before another with no particle is one option
    ("정장에 신을 로퍼 뭐 있어?",
     "장식 없는 기본형 '서울 로퍼'가 있고, 장식 있는 걸 원하시면 '테슬 로퍼 클래식'이 있어요.",
     "장식 없는 걸로 할게. 그 로퍼 사이즈 뭐 있어?", "서울 로퍼", ["테슬"]),
    # a kind noun chooses among its own kind
    ("도예 수업 주말에 누가 가르쳐요?",
     "토요일에는 한지은 선생님이 초급반을 맡고, 일요일에는 오세훈 선생님이 심화반을 맡아요.",
     "심화반 들을 거예요. 그 선생님 경력은 어떻게 돼요?", "오세훈", ["한지은"]),
    # a word two options' names share names neither; the one said by its own word is chosen
    ("강릉 카페 추천해 줘", "'파도소리 카페'는 루프탑이 있고, '솔밭 카페'는 주차장이 넓어요.",
     "솔밭 카페로 할게. 거기 몇 시까지 해?", "솔밭 카페 몇 시", ["파도소리"]),
    # a relative clause picks a person the reply names by an untagged name and a title
    ("금요일 시공 오시는 분이 누구예요?", "금요일에는 한상우 실장님이 상담을, 오지민 기사님이 도배를 맡아요.",
     "도배 하시는 그분한테 현관 비밀번호 알려 주세요.", "오지민", ["한상우"]),
]


@pytest.mark.parametrize(("question", "reply", "utterance", "picked", "others"), PICKS)
def test_a_choosing_clause_picks_the_option_a_later_anaphor_means(
        injector: ContextInjector, question: str, reply: str, utterance: str, picked: str, others: list[str]) -> None:
    rw = _rw(injector, question, reply, utterance)
    assert picked in rw and not any(o in rw for o in others), rw


@pytest.mark.parametrize("utterance", ["오늘 날씨 좋다. 거기 주차 돼?", "루프탑은 별로야. 거기 주차 돼?"])
def test_a_clause_that_tells_no_option_apart_or_turns_one_down_chooses_nothing(
        injector: ContextInjector, utterance: str) -> None:
    state = injector.replay([HistoryTurn("user", "강릉에 바다 보이는 카페 추천해 줘"), HistoryTurn("assistant", CAFES)])
    analysis = injector.analyzer.analyze(utterance)
    anaphor = next(a for a in find_anaphors(analysis) if analysis.text[a.start:a.end] == "거기")
    assert chosen_option(analysis, anaphor, state) is None


TENTS = "1번 '폴라 텐트'(20만 원), 2번 '돔 텐트 플러스'(25만 원), 3번 '터널 하우스'(31만 원)가 있어요."


def test_a_bare_entry_number_is_the_entry_the_reply_numbered(injector: ContextInjector) -> None:
    rw = _rw(injector, "4인용 텐트 뭐 있어?", TENTS, "2번 무게 몇 킬로야?")
    assert rw.startswith("돔 텐트 플러스") and "무게" in rw and "2번" not in rw
    circled = "① 휴식형(1박 5만 원), ② 체험형(1박 7만 원)이 있어요."
    rw = _rw(injector, "템플스테이 종류 알려 줘", circled, "2번은 몇 시에 시작해?")
    assert "체험형" in rw and "2번" not in rw


def test_a_bare_number_without_a_numbered_reply_or_out_of_range_stays(injector: ContextInjector) -> None:
    reply = "'한빛 약국'과 '새봄 약국'이 역 근처에 있어요."
    assert _rw(injector, "역 근처 약국 있어?", reply, "2번 출구로 나가면 돼?") == "2번 출구로 나가면 돼?"
    assert _rw(injector, "4인용 텐트 뭐 있어?", TENTS, "5번 무게 몇 킬로야?") == "5번 무게 몇 킬로야?"


def test_one_said_before_the_last_reply_is_what_an_earlier_mention_means(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "강남역 근처 필라테스 있어?"),
               HistoryTurn("assistant", "'코어랩 필라테스'가 강남역 3번 출구 앞에 있어요."),
               HistoryTurn("user", "요가원은?"), HistoryTurn("assistant", "'숨 요가'가 역삼역 쪽에 있어요.")]
    rw = injector.rewrite(history, "아까 말한 데 주말에도 해?").standalone
    assert "코어랩 필라테스" in rw and "숨 요가" not in rw
    rw = injector.rewrite(history, "방금 말한 데 주말에도 해?").standalone
    assert "숨 요가" in rw and "코어랩" not in rw


def test_a_clock_time_takes_the_day_it_was_said_on(injector: ContextInjector) -> None:
    question = "필라테스 다음 주 화요일에 예약돼?"
    reply = "다음 주 화요일은 저녁 7시만 자리가 있어요."
    history = [HistoryTurn("user", question), HistoryTurn("assistant", reply)]
    result = injector.rewrite(history, "그럼 그 시간으로 잡아 줘.")
    assert "다음 주 화요일 저녁 7시" in result.standalone
    assert any(r.rule.endswith("+day") for r in result.resolutions)
    rw = _rw(injector, question, reply, "목요일도 그 시간에 돼?")
    assert "다음 주 화요일" not in rw


def test_counts_exits_and_routes_are_no_entry_numbers(injector: ContextInjector) -> None:
    movies = "1. 인셉션 2. 인터스텔라 3. 테넷을 추천해요."
    assert _rw(injector, "놀란 영화 추천해 줘", movies, "인터스텔라는 2번 봤어.") == "인터스텔라는 2번 봤어."
    assert _rw(injector, "4인용 텐트 뭐 있어?", TENTS, "매장은 3번 출구로 나가면 돼?") == "매장은 3번 출구로 나가면 돼?"
    directions = "강남역 1번 출구로 나와서 2번 마을버스를 타세요."
    assert _rw(injector, "거기 어떻게 가?", directions, "2번 버스 몇 분마다 와?") == "2번 버스 몇 분마다 와?"
    said = "오늘 마지막 수업 끝나고 연락할게."
    assert _rw(injector, "놀란 영화 추천해 줘", movies, said) == said


def test_an_earlier_mention_after_one_reply_is_that_reply_s_not_the_question_s(injector: ContextInjector) -> None:
    reply = "'코어랩 필라테스'가 강남역 3번 출구 앞에 있어요."
    rw = _rw(injector, "강남역 근처 필라테스 추천해 줘", reply, "아까 추천한 곳 주말에도 해?")
    assert "코어랩 필라테스" in rw


def test_the_rules_alone_also_take_an_earlier_mention_from_an_earlier_reply(rules_injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "서울에서 벚꽃 보기 좋은 데 어디야?"),
               HistoryTurn("assistant", "여의도 윤중로가 제일 유명해요."),
               HistoryTurn("user", "부산은?"), HistoryTurn("assistant", "부산은 온천천이 좋아요.")]
    assert rules_injector.rewrite(history, "아까 말한 데 주차 돼?").standalone == "여의도 윤중로 주차 돼?"
    assert "여의도" not in rules_injector.rewrite(history, "방금 말한 데 주차 돼?").standalone
