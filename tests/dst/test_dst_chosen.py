"""The option a clause of the utterance picks before an anaphor (`dst.chosen`), and bare entry numbers ("2번")."""

from __future__ import annotations

import pytest

from dst import ContextInjector, HistoryTurn
from dst.analysis import Analyzer
from dst.anaphora import find_anaphors
from dst.chosen import (
    _named_by_part,
    _Option,
    best_described,
    chosen_option,
    returned_to,
    settled_option,
    titled_name,
    whole_written,
)
from dst.ellipsis import offered_entity
from dst.types import DialogueState, Entity


def _rw(injector: ContextInjector, question: str, reply: str, utterance: str) -> str:
    return injector.rewrite([HistoryTurn("user", question), HistoryTurn("assistant", reply)], utterance).standalone


def _context(injector: ContextInjector, question: str, reply: str, name: str) -> tuple[str, ...]:
    """What the tracker holds as said of the reply's mention `name`."""
    state = injector.replay([HistoryTurn("user", question), HistoryTurn("assistant", reply)])
    return next(e for e in state.entities if e.text == name).context


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
    # a time, by the clause a day said again has ("금요일에는 머그컵을")
    ("도자기 체험 일정 알려 줘",
     "화요일 오후 2시와 금요일 저녁 7시에 있어요. 화요일에는 접시를, 금요일에는 머그컵을 만들어요.",
     "머그컵 만들어 보고 싶어. 그날 자리 있어?", "금요일", ["화요일", "그날"]),
    ("상담 예약 언제 돼요?", "1일 오전 10시와 11일 오후 2시가 비어 있어요. 1일에는 원장님이 직접 상담해요.",
     "원장님한테 직접 받고 싶어요. 그날 예약해 주세요.", "1일 오전 10시", ["11일"]),  # "1일" is no part of "11일"
    # a kind noun no option bears chooses among them all, names only
    ("캠핑 의자 추천해 줘", "'릴렉스 체어 M'은 등받이가 높고, '미니 폴딩 S'는 무게가 가벼워요.",
     "백패킹이라 무게가 중요해요. 그 상품 가격은?", "미니 폴딩", ["릴렉스"]),
    ("피부과 추천해 줘",
     "'맑은 피부과'와 '고운 피부과'가 있어요. 맑은 피부과는 여드름 치료, 고운 피부과는 레이저 시술이 유명해요.",
     "여드름이 심해. 그 병원 예약돼?", "맑은 피부과", ["여드름 치료 예약"]),
    # a kind noun the reply's people bear chooses among the people
    ("코딩 강의 누가 좋아?", "기초는 '코드숲'의 임하늘 강사가, 알고리즘은 '알고랩'의 서준호 강사가 유명해요.",
     "알고리즘 공부할 거야. 그 강사 수강료는?", "서준호", ["임하늘", "알고랩 수강료"]),
    # the spoken "맨 앞에 거" is the first option
    ("무선 이어폰 저렴한 거 뭐 있어?",
     "'소리온 버즈'가 2만 원, '클리어팟 라이트'가 3만 원, '베이스원 S'가 4만 원이에요.",
     "맨 앞에 거 하나 주문해 줘.", "소리온 버즈", ["맨 앞에 거"]),
    # of two, 앞 and 뒤 need no 맨
    ("소양강 유람선 시간 알려 줘", "오늘은 오전 10시 15분과 오후 3시 50분에 떠나요.",
     "둘 중 뒤에 거 타면 몇 시에 돌아와?", "3시 50분", ["10시 15분", "뒤에 거"]),
    ("보드게임 뭐 살까?", "'캐슬 빌더'랑 '바다 탐험대' 중에 고르시면 돼요.",
     "둘 중에 앞에 거로 주문해 줘.", "캐슬 빌더", ["바다 탐험대", "앞에 거"]),
    # a pronoun after a numbered pick in an earlier clause is the pick
    ("제주 공항 근처 전기 자전거 대여점 비교해 줘",
     "1번 '바람자전거'는 하루 3만 원, 2번 '올레바이크'는 하루 3만 5천 원, 3번 '섬바퀴'는 공항 픽업을 해 줘요.",
     "2번으로 할게. 거기 헬멧도 빌려줘?", "올레바이크 헬멧", ["바람자전거", "섬바퀴"]),
    # a weekday said of a date is the same time option
    ("다음 달 3일이랑 7일 중에 언제 예약하는 게 나아?",
     "3일은 화요일이라 자리가 넉넉하고, 7일은 토요일이라 거의 찼어요.",
     "넉넉한 날로 할게. 그날 두 명 예약해 줘.", "3일 두 명", ["7일", "그날"]),
    # a pronoun after a clause that picked one takes the same one
    ("도자기 배울 공방 두 군데 비교해 줘.",
     "'솔잎 도예방'은 일대일 수업이라 비싼 편이고, '흙손'은 여섯 명 소그룹이라 저렴해요.",
     "저렴한 데가 좋겠다. 거긴 앞치마 빌려줘?", "흙손은 앞치마", ["솔잎", "거긴"]),
    # of two options, the one a clause turns down outright is not the one meant
    ("패러글라이딩 업체 추천해 줘.", "'파란하늘 캠프'는 후기가 좋고, '구름숲 캠프'는 싸지만 최근에 취소가 잦았대요.",
     "취소 잦은 건 싫어. 거기 주말 예약 돼?", "파란하늘 캠프 주말 예약", ["거기"]),
    # a place is chosen among named places, not the goods they sell
    ("묘목 사려는데 괜찮은 농원 있어?", "'볕드는 농원'은 사과나무랑 배나무 묘목이 많고, '큰들 종묘'는 조경수 위주예요.",
     "배나무 사려는데 거기 택배 돼?", "볕드는 농원 택배", ["큰들"]),
    # a word the reply said of one option alone picks it
    ("주말 수영 강습 코치님이 누구세요?", "토요반은 한지우 코치님이 맡고 계세요. 일요반은 서민재 코치님이고요.",
     "토요반 그 코치님 경력이 어떻게 돼요?", "한지우", ["서민재"]),
    # a negation in a reason clause leaves the pick of the last clause
    ("사무용 의자 추천해 줘.", "'에코핏 체어'는 가볍고 싸고, '로열백 체어'는 등받이가 높아서 허리가 편해요.",
     "허리가 안 좋아서 등받이 높은 게 낫겠다. 그거 얼마야?", "로열백 체어", ["에코핏"]),
    # a pronoun after a clause that describes a thing takes that thing
    ("회의실 빌릴 수 있어요?", "작은 '소담실'은 무료이고, 큰 '대담홀'은 시간당 3만 원이에요.",
     "인원이 적어서 무료인 걸로도 충분한데, 그건 어떻게 예약해요?", "소담실", ["대담홀"]),
    # a noun made from verbs ("짜맞춤": 짜 + 어 + 맞추 + ㅁ) matches the stems the option's sentence keeps
    ("도자기 공방 강사님들 누구 계세요?",
     "'흙내음 공방'의 정하람 강사님은 물레 성형을, '가마터'의 서도윤 강사님은 짜맞춤을 가르쳐요.",
     "짜맞춤 배우고 싶은데. 그 강사님 수업은 언제야?", "서도윤", ["정하람"]),
    # a week anaphor takes the week the chosen season's sentence gives, not the season
    ("어린이 캠프 언제 해?", "여름 캠프는 7월 첫째 주에 하고, 겨울 캠프는 1월 둘째 주에 해요.",
     "겨울 캠프 보내려고요. 그 주에 셔틀도 다녀요?", "1월 둘째 주", ["7월", "겨울에"]),
    # "그쪽" after a sentence that chose: the side chosen, not the listener
    ("수영장 어디가 좋아?", "'물결 수영장'은 실내 레인만 있고, '푸른 스포츠파크'는 야외 레인이 있어요.",
     "야외가 좋지. 그쪽은 주차 돼?", "푸른 스포츠파크", ["물결", "그쪽"]),
    # "그 모델" is a product's model (모델 is also a role noun): the option the clause describes
    ("BMX용 헬멧 두 개 비교해 줘. '바람막이 S'랑 '쿨핏 프로'.",
     "바람막이 S는 무겁지만 튼튼하고, 쿨핏 프로는 가볍고 통풍구가 많아요.",
     "통풍 잘 되는 게 좋은데, 그 모델 아동 사이즈도 나와?", "쿨핏 프로", ["바람막이"]),
    # the option that answers the user's which-question, by the words it asked with
    ("세탁소 사장님 중에 누가 가죽 재킷 세탁도 하세요?",
     "해맑은세탁 오정민 사장님은 와이셔츠만 하시고, 별빛크리닝 한수아 사장님은 가죽 재킷 세탁도 같이 하세요.",
     "그 사장님한테 내일 맡겨도 돼요?", "한수아", ["오정민"]),
    # a time of day on the scale of 늦게 / 일찍
    ("동네 요가원 두 곳 중에 어디가 늦게까지 해?",
     "'숨고르기 요가'는 저녁 9시에 닫고, '나무결 요가'는 밤 11시까지 해요.",
     "늦게까지 하는 데로 다닐래. 거기 샤워실 있어?", "나무결 요가", ["숨고르기"]),
    # 없이 says what an option lacks, as 없다 does
    ("자전거 수리점 알려 줘", "'바퀴사랑'은 예약을 해야 하고, '두바퀴 공방'은 예약 없이 가도 바로 봐 줘요.",
     "예약 없이 가고 싶은데, 그 가게 주차돼?", "두바퀴 공방", ["바퀴사랑"]),
    # the part of the week or day a clause names, read from the options' weekdays and clock times
    ("수채화 수업 다음 주에 자리 있어요?", "다음 주 수요일 오후 2시랑 일요일 오전 11시에 자리가 있어요.",
     "평일이 좋아요. 그 시간에 한 명 예약해 주세요.", "수요일 오후 2시", ["일요일"]),
    ("수영 개인 강습 언제 돼요?", "금요일 저녁 8시랑 다음 주 화요일 아침 7시가 비어 있어요.",
     "출근 전이 좋겠어. 그날 수영복 빌릴 수 있어?", "화요일", ["금요일"]),
    ("도자기 체험 날짜 나왔어?", "4월 체험은 4월 6일 토요일, 5월 체험은 5월 4일 토요일에 열려요.",
     "4월은 패스할래. 그날은 몇 시에 시작해?", "5월 4일", ["4월 6일"]),
    # a region in the genitive says whose an option is; it is no option of its own
    ("아이랑 딸기 따기 할 수 있는 농장 있어?",
     "논산의 '햇살 농원'에서는 잼 만들기를 하고, 담양의 '초록들 농장'은 딸기 따기에 토끼 먹이주기까지 있어요.",
     "토끼 먹이주기 좋다! 거기까지 차로 얼마나 걸려?", "초록들 농장", ["햇살"]),
    # a predicate the clause negates describes the option it does not want
    ("팔찌 수리 맡길 데 있어?", "'은별공방'은 급하면 당일에 해 주고, '달무리 주얼리'는 사흘쯤 걸려요.",
     "급하진 않아. 그 가게 택배 접수도 돼?", "달무리 주얼리", ["은별공방"]),
    # a thing joined to the object of a topic's sentence is what that option has, no option of its own
    ("고가구 가게 알려 줘", "'솔향당'은 조선 소반이랑 머릿장을 주로 다루고, '두레가'는 일본 다이쇼 시대 찬장이 많아요.",
     "소반 보고 싶은데 그 가게 몇 시에 열어?", "솔향당", ["두레가", "조선 소반 몇"]),
    # a one-syllable head glued to its modifier ("초급반") tells nothing alone: "중급반용" shares only 반
    ("가드닝 초급반 준비물 세트 있어요?",
     "모래&흙 입문 세트는 장갑과 모종삽이 들어 있고 2만 원이에요. 바다 화분 세트는 조개 화분과 물뿌리개가 들어 있어서 "
     "중급반용이에요.", "초급반이면 그 세트에 이름표도 추가할 수 있어요?", "모래&흙 입문 세트", ["바다 화분 세트"]),
    # an option the reply shortened ("심화 코스") is said by its whole name
    ("목공 정규 과정 알려 줘",
     "'생활 소품 입문 코스'는 4주, '원목 가구 심화 코스'는 10주예요. 심화 코스는 마지막에 의자를 만들어요.",
     "의자까지 만들고 싶어. 그 코스 재료비는 따로야?", "원목 가구 심화 코스", ["입문"]),
]


@pytest.mark.parametrize(("question", "reply", "utterance", "picked", "others"), PICKS)
def test_a_choosing_clause_picks_the_option_a_later_anaphor_means(
        injector: ContextInjector, question: str, reply: str, utterance: str, picked: str, others: list[str]) -> None:
    rw = _rw(injector, question, reply, utterance)
    assert picked in rw and not any(o in rw for o in others), rw


def _chosen(injector: ContextInjector, utterance: str) -> str | None:
    state = injector.replay([HistoryTurn("user", "강릉에 바다 보이는 카페 추천해 줘"), HistoryTurn("assistant", CAFES)])
    analysis = injector.analyzer.analyze(utterance)
    anaphor = next(a for a in find_anaphors(analysis) if analysis.text[a.start:a.end] == "거기")
    found = chosen_option(analysis, anaphor, state)
    return None if found is None else found.text


@pytest.mark.parametrize("utterance", ["오늘 날씨 좋다. 거기 주차 돼?", "루프탑 테라스가 안 보이네. 거기 주차 돼?"])
def test_a_clause_that_tells_no_option_apart_or_only_negates_chooses_nothing(
        injector: ContextInjector, utterance: str) -> None:
    assert _chosen(injector, utterance) is None


def test_a_clause_that_turns_one_of_two_down_chooses_the_other(injector: ContextInjector) -> None:
    assert _chosen(injector, "루프탑은 별로야. 거기 주차 돼?") == "솔밭 커피"


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


def _rw_turns(injector: ContextInjector, turns: list[str], utterance: str) -> str:
    history = [HistoryTurn("user" if k % 2 == 0 else "assistant", text) for k, text in enumerate(turns)]
    return injector.rewrite(history, utterance).standalone


def test_only_with_bakke_a_negation_says_what_the_user_can_do(injector: ContextInjector) -> None:
    reply = "오전반은 이민호 코치님이, 저녁반은 정유진 코치님이 맡고 있어요."
    rw = _rw(injector, "수영 강습은 누가 해요?", reply, "저는 저녁밖에 시간이 안 돼요. 그 코치님 경력은요?")
    assert "정유진" in rw and "이민호" not in rw, rw
    state = injector.replay([HistoryTurn("user", "수영 강습은 누가 해요?"), HistoryTurn("assistant", reply)])
    analysis = injector.analyzer.analyze("저녁은 안 돼요. 그 코치님 경력은요?")
    anaphor = next(a for a in find_anaphors(analysis) if "코치" in analysis.text[a.start:a.end])
    assert chosen_option(analysis, anaphor, state) is None  # a plain negation still turns the evening down


def test_the_last_exchange_describes_which_one_the_reply_before_named(injector: ContextInjector) -> None:
    turns = ["동물병원에 수의사 선생님이 몇 분 계세요?",
             "최은비 선생님은 피부 질환을, 강태오 선생님은 정형외과 수술을 주로 보세요.",
             "강아지가 요즘 다리를 절어요.",
             "그럼 수술 쪽을 보시는 선생님께 진료받으시는 게 좋겠어요."]
    rw = _rw_turns(injector, turns, "그 선생님 진료 요일 알려 줘.")
    assert "강태오" in rw and "최은비" not in rw, rw


def test_a_kind_noun_after_an_exchange_chooses_only_names_of_its_kind(injector: ContextInjector) -> None:
    # the shop's sentence names the dishes, so it shares the exchange's words; "그 덮밥" is one of the dishes
    turns = ["점심 단체 주문 하려고",
             "'한그릇 키친'에는 연어 덮밥, 불고기 덮밥이 있어요.",
             "연어 들어간 걸로 할래",
             "연어 덮밥은 샐러드가 함께 나와요."]
    rw = _rw_turns(injector, turns, "그 덮밥 밥 양 늘릴 수 있어?")
    assert "한그릇 키친 밥" not in rw, rw


def test_the_side_a_reply_recommends_by_where_it_is_is_the_option_there(injector: ContextInjector) -> None:
    turns = ["스터디룸 빌릴 데 있어?",
             "강남 '모여라룸'은 시간당 만 원이고, 역삼 '책상하나'는 시간당 8천 원이에요.",
             "조용한 곳이면 좋겠어.",
             "조용한 걸 원하시면 강남 쪽을 추천드려요."]
    rw = _rw_turns(injector, turns, "그쪽은 몇 명까지 들어가?")
    assert "모여라룸" in rw and "책상하나" not in rw and "그쪽" not in rw, rw


def test_a_bare_anaphor_takes_the_option_the_reply_came_back_to(injector: ContextInjector) -> None:
    reply = "네, '참나무 도마'랑 '올리브 미니 도마'를 팔아요. 처음 사시는 분들은 주로 참나무 도마를 가져가세요."
    rw = _rw(injector, "공방에서 도마도 살 수 있어요?", reply, "그건 크기가 어떻게 돼요?")
    assert "참나무 도마" in rw and "올리브" not in rw, rw
    reply = "오전엔 박서진 코치님, 오후엔 윤다솜 코치님이 계세요. 예약이 오후 4시라 윤다솜 코치님이 맡으실 거예요."
    rw = _rw(injector, "수업 담당 코치님 누구예요?", reply, "그분께 준비물을 여쭤봐 주실 수 있나요?")
    assert "윤다솜" in rw and "박서진" not in rw, rw
    # a bare title no one was named with refers to no one here
    rest = "과장님 피곤하실 텐데 쉬세요"
    assert _rw(injector, "수업 담당 코치님 누구예요?", reply, rest) == rest
    state = injector.replay([HistoryTurn("user", "공방에서 도마도 살 수 있어요?"), HistoryTurn("assistant", reply)])
    assert DialogueState.from_dict(state.to_dict()) == state  # the flag survives a stored state


def test_of_two_names_the_one_the_reply_says_to_avoid_is_not_the_pick(injector: ContextInjector) -> None:
    turns = ["놀이공원에서 제일 인기 있는 놀이기구가 뭐예요?",
             "'번개 코스터'가 제일 인기고, 그다음은 회전 그네인 '하늘그네'예요.",
             "제가 어지럼증이 좀 있어요.",
             "그럼 하늘그네는 피하시는 게 좋아요. 번개 코스터는 직선 구간이 길어서 덜 어지러운 편이에요."]
    rw = _rw_turns(injector, turns, "그럼 그 놀이기구로 할게요. 한 번 타는 데 몇 분이에요?")
    assert "번개 코스터" in rw and "하늘그네" not in rw, rw


def test_the_option_the_user_took_in_the_last_turn_is_what_a_kind_anaphor_means(injector: ContextInjector) -> None:
    turns = ["요리책 추천해 줘",
             "《한 그릇 밥상》은 초보용이라 쉽고, 《셰프의 칼》은 전문 기술 위주라 어려워요.",
             "처음이라 쉬운 거부터 볼래.",
             "그럼 초보용으로 시작하시는 게 좋아요."]
    rw = _rw_turns(injector, turns, "그 책 중고로도 구할 수 있어?")
    assert "한 그릇 밥상" in rw and "셰프의 칼" not in rw, rw
    # a region the user asks about is where an option is, not the option
    turns = ["조용한 성당 추천해 줘",
             "양평의 '들꽃 성당'이 한적하고, 가는 길에 '솔숲 공소'도 있어요.",
             "양평까지 얼마나 걸려?",
             "차로 한 시간 반쯤 걸려요."]
    assert "양평" not in _rw_turns(injector, turns, "그 성당 미사 시간 알려 줘.").split("미사")[0]


@pytest.mark.parametrize("utterance", ["비 올 거 같아.", "내일 갈 거라서 물어보는 건데 주차돼?",
                                       "허리 때문에 가는 거니까 예약돼?", "처음 배우는 거라서 천천히 해 주세요.",
                                       "근처에 차 세울 데 있어?", "아이랑 같이 쉴 곳 없나요?",
                                       "오늘은 여기까지 할게.", "여기까지만 하자.",
                                       "다 거기서 거기지 뭐.", "그게 그거 아니야?", "그거랑 별개로 알람 맞춰 줘.",
                                       "그 영화 '바람의 노래' 언제 개봉해?", "스쿼시 처음 배우는 데 한 달에 얼마 들어?",
                                       "공방까지 가는 데 얼마나 걸려요?", "된장 담그는 데 필요한 재료 알려 줘."])
def test_modal_endings_nominalised_reasons_idioms_and_named_kinds_are_no_anaphors(injector: ContextInjector,
                                                                                  utterance: str) -> None:
    assert find_anaphors(injector.analyzer.analyze(utterance)) == []


def test_a_demonstrative_kind_without_a_name_after_it_is_still_an_anaphor(injector: ContextInjector) -> None:
    assert [a.category for a in find_anaphors(injector.analyzer.analyze("그 영화 언제 개봉해?"))] == ["영화"]


def test_how_much_roughly_asks_about_the_frame_s_named_thing(injector: ContextInjector) -> None:
    rw = _rw(injector, "'꽃담' 꽃집에서 튤립 다발 주문돼?", "네, 꽃담에서 튤립 다발 주문할 수 있어요.", "얼마 정도 해?")
    assert "꽃담" in rw, rw


def test_after_a_clause_geugeo_is_the_situation_not_an_option(injector: ContextInjector) -> None:
    rw = _rw(injector, "카페 추천해 줘", "'스타벅스 리저브'와 '블루보틀'이 있어요.",
             "오늘 비가 와서 그거 때문에 나가기 싫다")
    assert rw == "오늘 비가 와서 그거 때문에 나가기 싫다", rw


def test_an_unquoted_name_after_a_demonstrative_kind_is_an_adjunct(injector: ContextInjector) -> None:
    rw = _rw(injector, "을지로 맛집 알려줘", "'을지면옥'과 '양미옥'이 있어요.", "그 식당 강남에도 있어?")
    assert "그 식당" not in rw and ("을지면옥" in rw or "양미옥" in rw), rw


def test_a_later_time_is_fuller_only_when_it_starts_with_the_same_words(injector: ContextInjector) -> None:
    turns = ["미용실 언제 가능해요?", "1일과 2일이 가능해요.", "1일이 좋겠어요.",
             "네. 다만 11일 오후 2시부터 5시는 꽉 찼어요."]
    rw = _rw_turns(injector, turns, "그때쯤 가면 얼마나 기다려요?")
    assert "11일" not in rw, rw


def test_a_bare_pronoun_after_small_talk_is_not_chosen_from_the_exchange(injector: ContextInjector) -> None:
    turns = ["선물용 와인 추천해 줘", "'몬테스 알파'와 '1865'가 있어요. 1865는 골프 선물로 유명해요.",
             "아빠가 골프 안 치셔", "골프를 안 치셔도 와인은 충분히 즐기실 수 있어요."]
    result = injector.rewrite([HistoryTurn("user" if k % 2 == 0 else "assistant", t) for k, t in enumerate(turns)],
                              "그거 얼마야?")
    assert not any("chosen-in-exchange" in r.rule for r in result.resolutions), result.resolutions


def test_a_newer_thing_between_a_numbered_pick_and_a_pronoun_keeps_the_pick_out(injector: ContextInjector) -> None:
    rw = _rw(injector, "부산 맛집 알려줘", "1번 '개미집', 2번 '해운대 암소갈비', 3번 '초량밀면'이 있어요.",
             "2번으로 갈게. 밥 먹고 친구가 추천한 카페도 가려는데 그거 이름이 뭐였더라?")
    assert "암소갈비 이름" not in rw, rw


def test_a_name_said_to_be_one_of_a_kind_is_told_apart_by_what_the_reply_says_of_it(
        injector: ContextInjector) -> None:
    rw = _rw(injector, "합정이랑 망원에 가죽 공방 있어?",
             "합정에는 '가죽나무공방'이 있고, 망원에는 '소가죽집'이라는 공방이 있어요. "
             "가죽나무공방은 지갑 만들기 위주고, 소가죽집은 가방 만들기 과정을 운영해요.",
             "가방 만드는 그 공방은 주차 돼?")
    assert "소가죽집" in rw and "가죽나무공방" not in rw, rw


def test_three_options_keep_a_bare_back_one_ambiguous(injector: ContextInjector) -> None:
    rw = _rw(injector, "광주 가는 버스 있어?", "오전 8시, 오후 1시, 저녁 6시 버스가 있어요.", "셋 중 뒤에 거 예약해 줘")
    assert "뒤에 거" in rw, rw  # with three, 뒤 without 맨 may be the second or the third


def test_a_day_the_next_reply_settled_is_taken_without_its_hour(injector: ContextInjector) -> None:
    turns = ["'한결이사' 가능한 날짜 다시 알려 줘.", "이달 27일 토요일과 다음 달 2일 목요일이 돼요.",
             "목요일이 낫겠다.", "다음 달 2일 목요일로 잡아 둘게요. 작업은 오전 9시에 시작해요."]
    rw = _rw_turns(injector, turns, "그날 주차 자리도 미리 맡아야 해?")
    assert "다음 달 2일 목요일" in rw and "오전 9시" not in rw and "27일" not in rw, rw


def test_the_hour_of_a_settled_time_is_kept_for_that_hour(injector: ContextInjector) -> None:
    turns = ["'한결이사' 가능한 날짜 다시 알려 줘.", "이달 27일 토요일과 다음 달 2일 목요일이 돼요.",
             "목요일이 낫겠다.", "다음 달 2일 목요일 오전 9시로 잡아 둘게요."]
    rw = _rw_turns(injector, turns, "그 시간에 엘리베이터 써도 돼?")
    assert "오전 9시" in rw and "그 시간" not in rw, rw


def test_a_time_the_next_reply_settled_is_taken_whole(injector: ContextInjector) -> None:
    turns = ["'스튜디오 온담' 이번 달 예약 되는 날 있어요?",
             "8일 오전 10시, 15일 오후 2시, 22일 오후 5시에 자리가 있어요.", "15일이 좋겠어요.",
             "15일 오후 2시로 잡으면 촬영은 한 시간 정도 걸려요."]
    rw = _rw_turns(injector, turns, "그때 주차도 돼요?")
    assert "15일 오후 2시" in rw and "그때" not in rw, rw


def test_a_kind_anaphor_takes_the_name_a_reply_gave_for_the_users_description(injector: ContextInjector) -> None:
    # the user described what they wanted ("조용한 북카페"); the reply then named one without the kind noun
    history = [HistoryTurn("user", "조용한 북카페 하나 알려 줘"),
               HistoryTurn("assistant", "연남동에 몇 군데 있어요. 분위기를 더 알려 주시면 골라 드릴게요."),
               HistoryTurn("user", "창가 자리가 넓었으면 좋겠어."),
               HistoryTurn("assistant", "그럼 '책숲마루'에 가 보세요. 평일 오후엔 한산해요.")]
    rewrite = injector.rewrite(history, "그 북카페 주말에도 열어?").standalone
    assert "책숲마루" in rewrite and "그 북카페" not in rewrite
    # a name the dialogue already presented as one of the kind stays the referent over a later reply's name
    named = [HistoryTurn("user", "운동화 세탁에 쓰는 세제가 '클린폼 X'라던데 아이 거에도 괜찮아?"),
             HistoryTurn("assistant", "'클린폼 X'는 자극이 적은 편이에요."),
             HistoryTurn("user", "가방도 같이 맡기면 얼마야?"),
             HistoryTurn("assistant", "'말끔세탁'은 운동화 한 켤레 8천 원, 가방은 1만 5천 원이에요.")]
    assert "클린폼 X" in injector.rewrite(named, "그 세제 가방에도 써?").standalone


def test_a_shared_noun_outweighs_a_shared_verb_between_described_options(injector: ContextInjector) -> None:
    reply = ("'바른숨의원'의 오세라 원장님이 비염 레이저 치료를 전문으로 하세요. "
             "두드러기 쪽은 같은 병원 하동민 원장님이 보시고요.")
    rewrite = _rw(injector, "알레르기 잘 보는 선생님 있어?", reply, "비염 보시는 원장님은 토요일에도 진료해?")
    assert "오세라" in rewrite and "하동민" not in rewrite
    # a verbal noun is the clause's predicate: "진행하는" shares no thing with "… 테이블은 A가 진행하고"
    reply = "영어 테이블은 캐나다에서 온 이도윤 씨가 진행하고, 중국어 테이블은 상하이에서 온 최서아 씨가 맡고 있어."
    rewrite = _rw(injector, "언어교환 모임 호스트가 누구야?", reply, "중국어 쪽 진행하는 사람한테 미리 연락할 수 있어?")
    assert "최서아" in rewrite and "이도윤" not in rewrite
    # a noun the reply says an option lacks ("색이 거의 없고") does not describe it
    reply = "'맑은빛 A'는 코팅형이라 렌즈 색이 거의 없고, '선명 B'는 차단 소재가 들어가 있어서 노란빛이 살짝 돌아요."
    rewrite = _rw(injector, "블루라이트 차단 렌즈 뭐 있어요?", reply, "색 들어간 건 가격이 얼마예요?")
    assert "맑은빛 A" not in rewrite


def test_options_tied_with_no_clause_stay_tied() -> None:
    # the exchange's words, with no clause of the utterance, tell neither option apart: both stay, nothing raises
    assert best_described({"주차", "야경"}, [], [{"주차", "넓"}, {"야경", "좋"}]) == ([0, 1], 1)


def test_review_guards_on_described_and_stated_choices(injector: ContextInjector) -> None:
    # options that share every noun of the clause stay tied, whatever else one of them lacks
    hotels = "'바람호텔'은 조식 평이 좋고 수영장은 없어요. '돌담호텔'은 조식 평이 좋고 헬스장이 있어요."
    rewrite = injector.rewrite([HistoryTurn("user", "제주 숙소 추천해줘"), HistoryTurn("assistant", hotels)],
                               "조식 평 좋은 그 호텔 체크인 몇 시야?")
    assert not any("clause-words" in r.rule for r in rewrite.resolutions)
    # a claim after a connective is no thing ("… 한다는 그거 진짜야?")
    reply = "상추는 물만 잘 주면 한 달이면 따 먹을 수 있어요. 고추는 지지대를 세워야 해서 손이 좀 가요."
    said = "바빠서 자주 못 보는데, 물을 매일 줘야 한다는 그거 진짜야?"
    assert _rw(injector, "베란다에서 키우기 쉬운 채소 뭐 있어?", reply, said) == said
    # a word said of one option does not pick it when the user turns it down
    diners = "'한솥밥상'은 예약이 필수예요. '밥한끼'는 웨이팅이 좀 길어요."
    rewrite_text = _rw(injector, "을지로 밥집 추천해 줘", diners, "웨이팅 싫은데 거기 메뉴 뭐야?")
    assert "밥한끼" not in rewrite_text
    # "마감 안 된 그 회차" is the session the reply left open
    slots = "오전 10시 회차는 마감됐어요. 오후 4시 회차는 세 자리 남아 있어요."
    rewrite_text = _rw(injector, "이번 일요일 도자기 체험 자리 있어요?", slots,
                       "마감 안 된 그 회차로 두 명 예약해 주세요.")
    assert "10시" not in rewrite_text


def test_an_answer_to_another_request_is_no_instance_of_the_kind(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "수제 맥주 펍 추천해줘"), HistoryTurn("assistant", "'을지브루잉'이 괜찮아요."),
               HistoryTurn("user", "근처에 주차할 데 있어?"),
               HistoryTurn("assistant", "'을지공영주차장'을 이용하시면 돼요.")]
    assert "주차장" not in injector.rewrite(history, "그 펍 몇 시까지 해?").standalone


def test_a_clause_with_an_auxiliary_verb_describes_the_demonstrative_after_it(injector: ContextInjector) -> None:
    # "갈아야 하는 그거 수리비" (Kiwi: 그/MM + 거/NNB): the ending that joins 갈다 to its auxiliary connects no clause
    reply = "라이카 M6는 셔터막을 갈아야 해서 열흘 정도 걸리고, 니콘 FM2는 청소만 하면 돼서 이틀이면 됩니다."
    question = "라이카 M6랑 니콘 FM2 두 대 점검 맡기려고요."
    rewrite = _rw(injector, question, reply, "셔터막 갈아야 하는 그거 수리비는 얼마예요?")
    assert "라이카 M6" in rewrite and "니콘" not in rewrite
    # a bare "…는 게" after the same construction is a nominalised clause, not a thing
    said = "견적은 몇 군데 받아 보는 게 좋아요?"
    assert _rw(injector, "이사 업체 추천해 줘", "'한길이사'가 포장이사 평이 좋아요.", said) == said


def test_an_option_closed_by_a_later_clause_about_a_part_of_it_gives_way_to_the_open_one(
        injector: ContextInjector) -> None:
    # "오전은 이미 마감됐고" closes "일요일 오전 9시", said in the sentence before
    reply = "요가 체험은 일요일 오전 9시랑 오후 4시에 있어요. 오전은 이미 마감됐고 오후는 두 자리 남았어요."
    rewrite = _rw(injector, "요가 원데이 체험 언제 있어요?", reply, "그럼 그 시간으로 한 명 신청할게요.")
    assert "4시" in rewrite and "9시" not in rewrite
    # a clause may begin with a number ("… 마감됐고 19일은 …"): each day's clause is its own
    reply = "이번 달은 5일 금요일 회차와 19일 금요일 회차가 있는데, 5일은 이미 마감됐고 19일은 자리가 있어요."
    rewrite = _rw(injector, "도예 공방 이번 달 클래스 일정 알려줘.", reply, "그 회차로 신청할게.")
    assert "19일" in rewrite and "5일" not in rewrite


# Two exchanges, then the utterance: (turns, utterance, what the rewrite must hold, what it must not)
AFTER_TWO_EXCHANGES = [
    pytest.param(["도예 수업 일정 알려 줘.", "머그컵 만들기는 6월 3일 화요일, 접시 만들기는 6월 10일 화요일에 있어요.",
                  "접시 만들기로 할게.", "신청됐어요. 앞치마는 공방에서 빌려 드려요."],
                 "그날 몇 시까지 가면 돼?", "6월 10일 화요일 몇 시까지", ["6월 3일"],
                 id="a time anaphor takes the time the last exchange is about"),
    pytest.param(["수영 강습 시간 어떻게 돼요?", "평일반은 저녁 8시, 주말반은 토요일 오전 9시예요.",
                  "평일엔 야근이 많아요.", "그러시면 토요일 반이 나으시겠네요."],
                 "그 시간에 샤워실 붐벼요?", "토요일 오전 9시에", ["저녁 8시"],
                 id="the last reply naming part of a time picks that time"),
    pytest.param(["다음 주 상담 가능한 시간 있어요?", "화요일 오후 2시하고 목요일 오전 10시가 비어 있어요.",
                  "오전이 좋아요.", "그럼 목요일 오전 10시로 잡아 드릴까요?"],
                 "네, 그때로 해 주세요.", "목요일 오전 10시", ["화요일"],
                 id="a time the last reply says itself is left to the ranker"),
    pytest.param(["수선 맡길 데 추천해 줘.",
                  "'바늘귀 수선실 2호점'은 주말에도 받고, '한땀공방'은 평일만 하는데 조금 싸요.",
                  "난 주말에만 갈 수 있어.", "그럼 바늘귀 수선실 2호점이 맞아요. 토요일은 오후 5시까지 받아요."],
                 "거기 주차돼요?", "바늘귀 수선실 2호점 주차돼요?", ["한땀공방", "거기"],
                 id="a pronoun after a reply that settles on one option takes it"),
    pytest.param(["지난주 상담해 주신 분 이름이 기억이 안 나요.",
                  "오전 상담은 한상민 상담사님이, 오후 상담은 윤다래 상담사님이 하셨어요.",
                  "저는 오후에 갔어요.", "그럼 윤다래 상담사님이셨을 거예요."],
                 "그분께 감사 인사 전해 주세요.", "윤다래", ["한상민"],
                 id="a person the last reply settles on is who a pronoun means"),
    pytest.param(["요가 동호회 가입하려면 어떻게 해요?",
                  "'숨결회'는 신청서만 내면 되고, '아사나 모임'은 회원 추천이 있어야 해요.",
                  "추천 없이 들어갈 수 있는 데로 할래요.", "그럼 숨결회가 맞아요. 매달 첫째 주 토요일에 모여요."],
                 "연회비는 얼마예요?", "숨결회", ["아사나"],
                 id="an elided question after a reply that settles asks about the settled one"),
    pytest.param(["부동산 사장님 이름 뭐였지?", "'한빛공인중개사' 최민호 대표예요. 내일 집을 보여 주신대요.",
                  "집주인은 누구래?", "집주인은 정수경 씨고, 계약할 때 직접 나오신대요."],
                 "그 대표님 번호 저장해 줘", "", ["정수경"],
                 id="a kind noun the settled option is not of is left to the ranker"),
]


@pytest.mark.parametrize(("turns", "utterance", "held", "absent"), AFTER_TWO_EXCHANGES)
def test_an_anaphor_after_two_exchanges_takes_what_the_last_one_settled(
        injector: ContextInjector, turns: list[str], utterance: str, held: str, absent: list[str]) -> None:
    roles = ["user", "assistant"] * 2
    history = [HistoryTurn(r, t) for r, t in zip(roles, turns, strict=True)]  # type: ignore[arg-type]
    out = injector.rewrite(history, utterance).standalone
    assert held in out and not any(a in out for a in absent), out


def test_the_reply_settles_on_the_one_option_of_the_reply_before_that_it_names_again(
        injector: ContextInjector) -> None:
    # "프라이빗" is a name-like word the reply says of the option, not a second option
    turns = ["제주에서 카약 타는 데 알려 줘.",
             "'파도결 카약'과 '섬바람 레저'가 있어요. 파도결은 2인용 카약이고, 섬바람은 단체 보트예요.",
             "둘이서 조용히 타고 싶어.", "그럼 파도결 카약이 좋겠어요. 최대 4명까지 프라이빗으로 탈 수 있어요."]
    state = injector.replay([HistoryTurn(r, t) for r, t in zip(["user", "assistant"] * 2, turns, strict=True)])
    settled = settled_option(state)
    assert settled is not None and settled.text == "파도결 카약"


def test_a_shop_by_its_generic_category_is_the_one_the_reply_settled_on(injector: ContextInjector) -> None:
    turns = ["도자기 흙 사러 갈 건데 이천 쪽에 어디가 좋아?",
             "'청람토방'은 백자토가 많고, '해오름도재'는 옹기토랑 유약이 싸요.",
             "백자 그릇 만들 거야.", "그럼 청람토방 쪽이 맞아요. 소포장도 따로 팔아요."]
    assert _rw_turns(injector, turns, "그 매장 일요일에도 열어?") == "청람토방 일요일에도 열어?"


CHOSEN_BY_WHAT_WAS_SAID = [
    pytest.param(["역 근처 빵집 추천해 줘.",
                  "'밀알제과'는 역 바로 앞에 있고 식빵이 유명해요. '보리당'은 골목 안에 있는데 단팥빵이 맛있어요."],
                 "저는 단팥빵을 좋아해요. 그 가게 몇 시에 열어요?", "보리당", ["밀알제과"],
                 id="what a sentence says after a contrasted topic is said of it"),
    pytest.param(["집들이 선물 세트 뭐 있어요?",
                  "'한가위' 세트는 약과와 곶감이 들어 있고 4만 원이에요. "
                  "'별빛' 세트는 낱개 포장된 유과 12개에 3만 원이고요."],
                 "나눠 줄 거라 낱개 포장이 좋아요. 그거 열 개 주문돼요?", "별빛", ["한가위", "유과"],
                 id="what a contrasted option holds is its description, not an option"),
    pytest.param(["근처 산책로 알려줘.",
                  "'솔숲길'은 한 바퀴에 1시간 반이고 오르막이 있어요. '호숫가길'은 30분 정도로 짧고 평평해요."],
                 "아이랑 가니까 짧은 게 좋겠다. 그 길 중간에 벤치 있어?", "호숫가길", ["솔숲길"],
                 id="an adjective that describes the wanted option picks it"),
    pytest.param(["연수원 식사 시간 알려 줘.", "점심은 낮 12시에 시작하고, 저녁은 오후 6시 반에 나와요."],
                 "회의가 길어질 것 같은데, 점심은 그 시간 넘으면 못 먹어요?", "12시", ["6시"],
                 id="the topic right before a time anaphor picks the time said of it"),
    pytest.param(["맡긴 코트 언제 찾을 수 있어요?",
                  "내일 오전 10시부터 받으실 수 있고, 보관은 금요일 오후 5시까지예요."],
                 "혹시 그때까지 못 가면 택배로 보내 주세요?", "금요일 오후 5시까지", ["10시"],
                 id="a bound particle takes the time given as that bound"),
    pytest.param(["등산화 추천해 줘.",
                  "가벼운 걸 원하시면 '산바람 트레일 로우'가 좋고, 발목 보호가 중요하면 '바위산 하이컷'이 좋아요.",
                  "발목을 자주 삐어서요.", "그럼 하이컷 쪽이 안전하실 거예요."],
                 "그거 방수도 돼?", "바위산 하이컷", ["산바람"],
                 id="a bare pronoun takes the option the exchange named by a word of its name"),
    pytest.param(["행사용 도시락 뭐 있어요?",
                  "'들밥상'에는 두부 조림 도시락, 버섯 덮밥 도시락, 채소 비빔 도시락이 있어요.",
                  "두부 들어간 걸로 할래요.", "두부 조림 도시락은 현미밥과 구운 채소가 함께 나와요."],
                 "그 도시락 매운맛도 있어?", "두부 조림 도시락", ["채소 비빔", "버섯"],
                 id="an option said again is not lost to a word another option's name shares"),
    pytest.param(["수선집에 누가 계세요?",
                  "바지 기장 수선은 오민재 사장님이 하시고, 가죽 수선 상담은 한지수 실장님이 맡고 있어요.",
                  "가죽 가방 끈이 끊어졌어요.", "그건 가죽 수선이라 상담부터 받으셔야 해요."],
                 "그분 언제 계세요?", "한지수", ["오민재"],
                 id="a bare person pronoun takes the one the exchange is about"),
    pytest.param(["요금제 뭐 있어요?", "'무약정 12개월권'은 월 3만 원이고, '약정 24개월권'은 월 2만 5천 원이에요.",
                  "약정은 싫어요.", "그럼 무약정 12개월권이 맞아요."],
                 "그걸로 하면 해지 위약금 없어요?", "무약정 12개월권", ["약정 24개월권"],
                 id="a quoted name said again unquoted is read whole"),
]


@pytest.mark.parametrize(("turns", "utterance", "held", "absent"), CHOSEN_BY_WHAT_WAS_SAID)
def test_the_option_is_chosen_by_what_the_dialogue_said_of_it(
        injector: ContextInjector, turns: list[str], utterance: str, held: str, absent: list[str]) -> None:
    out = _rw_turns(injector, turns, utterance)
    assert held in out and not any(a in out for a in absent), out


def test_a_connective_ending_of_an_earlier_sentence_leaves_a_pronoun_pointing_at_a_thing(
        injector: ContextInjector) -> None:
    turns = ["선물 세트 뭐 있어요?", "'한과 세트'는 2만 원이고 '약과 세트'는 3만 원이에요."]
    out = _rw_turns(injector, turns, "손님들 줄 거라 상자가 필요해요. 그거 30개 주문돼요?")
    assert "그거" not in out and "세트 30개" in out, out
    # in its own sentence the clause is what 이거 points at
    situation = "전원을 켰는데 이거 왜 안 돼요?"
    assert _rw_turns(injector, turns, situation) == situation


def test_a_telling_word_of_one_name_picks_it_unless_another_option_was_said_again() -> None:
    def option(name: str) -> _Option:
        return _Option(Entity(name, "item", 2, "assistant", proper=True), names=set(name.split()))

    mushroom, vegetable = option("버섯 덮밥 도시락"), option("채소 비빔 도시락")
    said = Entity("채소 쪽", "thing", 4, "assistant")
    state = DialogueState(entities=(mushroom.entity, vegetable.entity, said), turn=4)
    assert _named_by_part([mushroom, vegetable], state) is vegetable
    # a third option said again ("두부 조림 도시락은 …") left the options, and its sentence's 채소 names none
    again = Entity("두부 조림 도시락", "thing", 4, "assistant")
    state = DialogueState(entities=(mushroom.entity, vegetable.entity, again, Entity("채소", "thing", 4, "assistant")),
                          turn=4)
    assert _named_by_part([mushroom, vegetable], state) is None


DESCRIBED = [
    # the last reply says only what one option's sentence said of it ("상속세 담당"), not its name
    (["세무사무소에 상담해 줄 세무사님 누가 계세요?",
      "정다해 세무사님은 법인세를, 오규민 세무사님은 상속세를 주로 맡고 계세요.",
      "아버지 재산 정리 문제로 상담하고 싶어요.", "그럼 상속세 담당 세무사님께 예약해 드릴게요."],
     "그 세무사님 상담료는 얼마예요?", "오규민", ["정다해"]),
    # where the reply before said one quoted option is stands for that option
    (["캠핑 장비 빌릴 데 있어?",
      "가평에 있는 '숲속 렌탈'은 텐트 위주고, 양평에 있는 '강변 캠프샵'은 화로대가 많아.",
      "난 화로대가 필요해.", "그럼 양평 쪽이 낫겠다. 평일엔 할인도 해."],
     "거기 주말에도 문 열어?", "강변 캠프샵", ["숲속 렌탈", "거기"]),
    # an elided question asks about the option so described
    (["토요일 합주 어디서 해?", "오전엔 '푸른솔 공원' 야외무대에서 하고, 오후엔 '한빛 청소년센터' 연습실로 옮겨.",
      "난 오후에만 돼.", "그럼 청소년센터 연습실로 와. 3시부터야."],
     "몇 시까지 해?", "한빛 청소년센터", ["푸른솔"]),
]


@pytest.mark.parametrize(("turns", "utterance", "picked", "others"), DESCRIBED)
def test_a_reply_that_describes_one_of_the_options_before_settles_on_it(
        injector: ContextInjector, turns: list[str], utterance: str, picked: str, others: list[str]) -> None:
    rw = _rw_turns(injector, turns, utterance)
    assert picked in rw and not any(o in rw for o in others), rw


def test_a_reply_whose_words_fit_both_options_settles_on_neither(injector: ContextInjector) -> None:
    turns = ["세무사무소에 상담해 줄 세무사님 누가 계세요?",
             "정다해 세무사님은 법인세를, 오규민 세무사님은 상속세를 주로 맡고 계세요.",
             "둘 다 궁금한데요.",
             "법인세와 상속세 모두 상담 가능하세요."]
    result = injector.rewrite([HistoryTurn("user" if k % 2 == 0 else "assistant", t) for k, t in enumerate(turns)],
                              "그 세무사님 상담료는 얼마예요?")
    assert not any("chosen-in-exchange" in r.rule for r in result.resolutions), result.resolutions


def test_a_name_of_the_other_kind_the_question_joined_is_no_instance_of_the_kind(injector: ContextInjector) -> None:
    # "랜턴이랑 버너": the reply names one of each; "그 버너" is the burner, not the lantern that answered the same
    # question
    rw = _rw(injector, "캠핑 갈 때 랜턴이랑 버너는 어디서 사?",
             "랜턴은 아웃도어 매장에서 '루미나 랜턴'을 추천하고, 버너는 마트에서 '파이어킹 버너'를 팔아요.",
             "그 버너 가스는 따로 사야 돼?")
    assert "파이어킹 버너" in rw and "루미나" not in rw, rw


def test_a_side_pronoun_with_no_choice_before_it_is_the_listener(injector: ContextInjector) -> None:
    reply = "'물결 수영장'은 실내 레인만 있고, '푸른 스포츠파크'는 야외 레인이 있어요."
    rw = _rw(injector, "수영장 어디가 좋아?", reply, "고마워. 그쪽은 이름이 뭐야?")
    assert rw == "고마워. 그쪽은 이름이 뭐야?"


def test_a_which_question_answer_gives_way_to_the_utterances_own_words(injector: ContextInjector) -> None:
    # the question asked about repairs (오정민's sentence), the utterance about a parcel (한수아's sentence)
    rw = _rw(injector, "수선집 사장님 중에 누가 구두 수선도 하세요?",
             "오정민 사장님은 구두 수선도 하시고, 택배 접수는 한수아 사장님이 맡고 계세요.",
             "택배 보내는 날짜는 그분한테 물어봐야 돼요?")
    assert "한수아" in rw and "오정민" not in rw, rw


def test_a_predicate_noun_of_another_kind_is_said_of_the_name_before_it(injector: ContextInjector) -> None:
    # "재료가 호두나무예요" describes '숲그늘 3호점'; it is no rival that would cut its clause short
    reply = "연희동 '숲그늘 3호점'은 4시간에 7만 원인데 재료가 호두나무예요."
    said = _context(injector, "도마 클래스 하는 공방 알려줘.", reply, "숲그늘 3호점")
    assert "재료" in said, said


def test_a_reply_that_gives_the_chosen_option_with_its_kind_settles_on_it(injector: ContextInjector) -> None:
    turns = ["외국인 친구랑 요가 배우려는데 '달숲 요가'랑 '하늘정원 요가' 중에 어디가 나아요?",
             "'달숲 요가'는 원데이 클래스가 있어서 체험하기 좋고, '하늘정원 요가'는 정규반만 있어요.",
             "원데이로 해 볼게요.", "네, '달숲 요가' 원데이 클래스는 일요일 오전 10시예요."]
    rw = _rw_turns(injector, turns, "영어로도 돼요?")
    assert "달숲 요가" in rw and "하늘정원" not in rw, rw


def test_the_option_a_reply_calls_the_side_to_take_is_settled_on(injector: ContextInjector) -> None:
    # "라인댄스 쪽이 맞으실 거예요": the side named by a word of one option's name, though the reply names the other
    # option too; "그 강좌" takes it, as the options were given for a request for 강좌
    turns = ["복지관에 댄스 강좌 뭐 있어요?", "'주말 라인댄스 입문'과 '어르신 건강 체조' 두 가지가 있어요.",
             "저 대학생인데 어르신 강좌는 좀 그렇죠?",
             "네, 어르신 건강 체조는 65세 이상 대상이라 라인댄스 쪽이 맞으실 거예요."]
    rw = _rw_turns(injector, turns, "그럼 그 강좌 신청할게요.")
    assert "주말 라인댄스 입문" in rw and "어르신" not in rw, rw


def test_a_reply_that_sends_the_user_to_one_quoted_option_settles_on_it(injector: ContextInjector) -> None:
    # "그럼 꽃잎 밴드에 연락해 보세요": 에 marks whom to contact, not where something is
    turns = ["다음 달 축제에 부를 팀 어디가 좋아?", "'꽃잎 밴드'는 동요를 잘하고, '불꽃 크루'는 힙합 공연을 주로 해요.",
             "아이들 축제라서 동요 잘하는 팀이 좋겠어.", "그럼 꽃잎 밴드에 연락해 보세요. 출연료는 인원에 따라 달라요."]
    rw = _rw_turns(injector, turns, "거기 대표 연락처 알아?")
    assert "꽃잎 밴드" in rw and "불꽃" not in rw, rw


def test_a_reply_s_description_is_read_in_its_own_words_before_what_its_nouns_were_said_with(
        injector: ContextInjector) -> None:
    turns = ["녹차 선물하려는데 뭐가 좋아요?",
             "'청명 녹차'는 맛이 진하게 우러나고, '운해 녹차'는 맛보다는 향긋한 향 위주예요.",
             "저는 맛이 제일 중요해요.", "그럼 맛이 진한 쪽이 맞으시겠어요."]
    rw = _rw_turns(injector, turns, "그 제품 티백으로도 나와요?")
    assert "청명 녹차" in rw and "운해" not in rw, rw


def test_what_a_reply_says_is_lacking_tells_the_option_without_it(injector: ContextInjector) -> None:
    turns = ["동네 세탁소 두 군데 알려 줘.",
             "'새벽 세탁소'와 '한결 세탁'이 있어요. '한결 세탁'은 수선은 외부 업체로 보내요.",
             "바지 기장 줄이려고요.", "그러면 외부 업체 없이 직접 고치는 곳이 빨라요."]
    rw = _rw_turns(injector, turns, "그 가게 일요일에도 열어요?")
    assert "새벽 세탁소" in rw and "한결" not in rw, rw


def test_a_clause_that_wants_what_one_of_two_lacks_picks_the_other(injector: ContextInjector) -> None:
    reply = "'파란 택시'는 심야 할증이 붙고, '초록 콜'은 요금이 조금 비싸요."
    rw = _rw(injector, "공항 가는 택시 어디가 좋아?", reply, "할증 없는 데로 할게. 거기 예약은 어떻게 해?")
    assert "초록 콜" in rw and "파란" not in rw, rw


def test_what_a_topic_has_in_its_next_clause_is_said_of_it(injector: ContextInjector) -> None:
    reply = "'가온 텐트'는 20만 원대이고 실리콘 코팅 플라이가 달려 있어요. '누리 텐트'는 15만 원대인데 폴리 플라이예요."
    said = _context(injector, "캠핑용 텐트 추천해 줘.", reply, "가온 텐트")
    assert {"실리콘", "코팅"} <= set(said), said
    rw = _rw(injector, "캠핑용 텐트 추천해 줘.", reply, "실리콘 코팅 있는 그 텐트는 무게가 얼마야?")
    assert "가온 텐트" in rw and "누리" not in rw, rw
    # several subjects side by side are options of their own, not what the topic has
    reply = "든든박스는 주 3회 라이트 플랜이 월 9만 원, 주 5회 스탠다드 플랜이 월 15만 원이에요."
    said = _context(injector, "도시락 요금제 뭐 있어?", reply, "든든박스")
    assert "스탠다드" not in said, said


def test_a_reply_s_description_picks_a_person_named_with_a_role(injector: ContextInjector) -> None:
    turns = ["꽃꽂이 강사가 두 명이라며?", "네, 동양 꽃꽂이는 한지호 강사가, 서양 꽃꽂이는 윤서아 강사가 맡아요.",
             "저는 동양 꽃꽂이를 배우고 싶어요.", "그럼 동양 꽃꽂이 담당 강사에게 문의하시면 돼요."]
    rw = _rw_turns(injector, turns, "그 사람 수업은 주말에도 해요?")
    assert "한지호" in rw and "윤서아" not in rw, rw
    person = Entity("강도윤 강사", "person", 2, "assistant", "강사")
    assert titled_name(person) and not titled_name(Entity("강사", "person", 2, "assistant", "강사"))


def test_a_given_name_with_the_familiar_i_is_the_person_the_reply_names_without_it(injector: ContextInjector) -> None:
    rw = _rw(injector, "동아리 친구 중에 지훈이는 합격했고 상민이는 떨어졌어.",
             "지훈 씨는 이제 서류를 내면 되고, 상민 씨는 다음 시험을 준비하면 되겠네요.",
             "떨어진 걔 뭐부터 준비하면 돼?")
    assert "상민" in rw and "지훈" not in rw, rw


def test_what_an_option_is_said_not_to_be_is_not_said_of_it(injector: ContextInjector) -> None:
    reply = "학교 지정 판매점은 '한빛 문구'예요. 근처 '다솜 문구'는 더 싸지만 지정점이 아니라서 이름 인쇄가 안 돼요."
    said = _context(injector, "실내화 어디서 사?", reply, "다솜 문구")
    assert not {"지정", "지정점", "점"} & set(said) and "이름" in said, said


def test_a_name_that_opens_a_sentence_of_the_reply_as_its_topic_is_what_it_offered(injector: ContextInjector) -> None:
    question = "대구에 중고 악기 파는 곳 있어?"
    reply = "소리마루악기는 중고 기타를 많이 다루고, 사장님이 직접 수리해요. 동성로 악기거리는 새 악기 위주예요."
    state = injector.replay([HistoryTurn("user", question), HistoryTurn("assistant", reply)])
    offered = offered_entity(injector.analyzer.analyze(question), state)
    assert offered is not None and offered.text == "소리마루악기", offered
    rw = _rw(injector, question, reply, "중고 기타 보러 갈 건데, 거기 주말에도 열어?")
    assert "소리마루악기" in rw and "악기거리" not in rw, rw
    # a quoted name is still the offer before a topic that opens a later sentence
    reply = "'온새미 목공방'이 원데이 수업을 해요. 목공방은 주말 예약이 빨리 차요."
    assert "온새미 목공방" in _rw(injector, "목공 체험할 곳 있어?", reply, "거기 주차돼?")


def test_an_answer_word_before_a_comma_is_no_clause_of_the_utterance(injector: ContextInjector) -> None:
    turns = ["세차 예약 가능한 시간 있어요?", "이번 주 수요일 오전 11시와 금요일 오후 4시가 비어 있어요.",
             "오후가 좋아요.", "그럼 금요일로 잡아 드릴까요?"]
    rw = _rw_turns(injector, turns, "네, 그때 주차는 어디에 하면 돼요?")
    assert rw == "네, 금요일 오후 4시 주차는 어디에 하면 돼요?", rw


def test_a_compound_said_to_be_lacking_turns_down_the_option_with_its_first_noun(injector: ContextInjector) -> None:
    reply = "'하늘 요트 투어' 배는 오전 10시랑 오후 3시에 떠요. 오후 배는 바람 때문에 결항될 때가 많아요."
    rw = _rw(injector, "요트 투어 몇 시에 있어요?", reply, "그럼 결항 걱정 없는 쪽으로 할게요. 그 시간까지 가면 돼요?")
    assert rw == "그럼 결항 걱정 없는 쪽으로 할게요. 오전 10시까지 가면 돼요?", rw


def test_a_later_sentence_that_names_what_was_said_of_one_of_two_comes_back_to_it(injector: ContextInjector) -> None:
    reply = "오전 반은 이서준 코치님, 저녁 반은 박하늘 코치님이 맡으세요. 회원님은 저녁 7시 등록이라 저녁 반이에요."
    rw = _rw(injector, "수영 강습 코치님이 누구예요?", reply, "그 코치님 경력은 어떻게 돼요?")
    assert rw == "박하늘 코치님 경력은 어떻게 돼요?", rw
    # a later sentence about neither leaves the choice to the ranker's reading
    reply = "오전 반은 이서준 코치님, 저녁 반은 박하늘 코치님이 맡으세요. 수영모는 꼭 챙기세요."
    state = injector.replay([HistoryTurn("user", "수영 강습 코치님이 누구예요?"), HistoryTurn("assistant", reply)])
    analysis = injector.analyzer.analyze("그 코치님 경력은 어떻게 돼요?")
    assert returned_to(analysis, find_anaphors(analysis)[0], state) is None


ROUND_53_PICKS = [
    # a number said as the choice names the time option it is part of
    ("도배 날짜 잡고 싶어요.", "3월 8일 토요일이나 3월 15일 토요일에 작업팀이 갈 수 있어요.",
     "15일로 할게요. 그날 몇 시에 와요?", "3월 15일", ["그날", "8일"]),
    # of two options said with what the clause wants, the one said not to do it drops out
    ("야간 진료하는 소아과 있어요?",
     "근처에 '튼튼아이소아과'와 '새싹소아과'가 있어요. "
     "튼튼아이소아과는 야간 진료가 안 되고, 새싹소아과는 야간에도 봐요.",
     "야간에 가야 돼요. 그 병원 위치 알려 주세요.", "새싹소아과", ["튼튼"]),
    # a negated description of what is wanted picks the option said to lack it
    ("원룸에 둘 선풍기 추천해 줘.",
     "'바람돌이 S3'는 바람이 세지만 소음이 있고, '고요팬 미니'는 날개가 없어서 소리가 거의 안 나요.",
     "밤에 틀 거라 소리 안 나는 게 좋아. 그 제품 얼마야?", "고요팬 미니", ["바람돌이"]),
    # a relative clause before a kind noun chooses among the names that bear it ("채색", a word said of one course,
    # is unknown enough to look like a name)
    ("화실 코스 뭐 있어?",
     "'주말 수채화 코스'는 강사가 채색 순서를 알려 주고, '자유 드로잉 코스'는 혼자 그리는 시간이에요.",
     "강사가 알려 주는 그 코스, 처음 해도 괜찮아?", "주말 수채화 코스", ["자유 드로잉"]),
    # the one who does what the question asked for is the person
    ("도배 해 주는 분 있어요?",
     "네, 도배는 '한빛인테리어' 김성호 사장님이 해 주시고, 장판은 철물점 하시는 박민규 사장님이 하세요.",
     "그분한테 견적 받을 수 있어요?", "김성호", ["박민규"]),
    # a which-question's topic says what it asks of; the words before it only qualify it
    ("동문회 행사 실무는 누가 맡아요?",
     "행사 총괄은 회장님이신 최정민 이사님이 맡으셨고, 실무는 총무 이서연 씨가 다 챙겨요.",
     "그분 연락처 좀 알려 주세요.", "이서연", ["최정민"]),
]


ROUND_57_PICKS = [
    # a compound of the clause lies whole in one option's word, only in part in the other's
    ("집 근처에 세차 되는 주유소 있어?",
     "'새봄셀프주유소'는 자동 세차기가 있고 24시간 해요. '서부 한길주유소'는 손세차장을 같이 하는데 밤 10시에 닫아요.",
     "손세차 하고 싶은데 거기 평일에도 해?", "서부 한길주유소", ["거기", "새봄"]),
    # a time written glued to a noun ("주말반") names a class, not a time option
    ("요리 학원 다음 달 과정 언제 시작해요?",
     "평일반은 4월 첫째 주에 시작하고, 주말반은 4월 셋째 주에 시작해요.",
     "회사 다녀서 주말반 할게요. 그 주에 재료비도 내요?", "4월 셋째 주", ["그 주", "첫째 주"]),
    # an ending before a new contrastive topic ends the clause: what follows is said of the other time
    ("전망대 해설 투어는 하루에 몇 번 있어요?",
     "오전 10시, 오후 4시 두 번 있어요. 오전 10시는 학교 단체 전용이라 개인 관람객은 오후 4시에만 참여할 수 있어요.",
     "개인으로 갈 건데 그 시간에 붐벼요?", "오후 4시", ["그 시간", "오전 10시"]),
    # a complement of 이다 after a named topic describes the name; it is no option of its own
    ("'바람결 원피스'랑 '구름 셔츠' 중에 뭐가 더 비싸?",
     "'바람결 원피스'가 8만 원으로 더 비싸고, '구름 셔츠'는 5만 원이에요. "
     "대신 '구름 셔츠'는 한정판이라 곧 품절될 수 있어요.",
     "한정판이면 그 옷으로 살래. 몇 벌 남았어?", "구름 셔츠", ["그 옷", "한정판으로"]),
    # 명인 is a title: the person named by it answers the question
    ("이번 풍물 공연에서 북 치는 사람 누구야?",
     "북은 정하린 명인이 치고, 징은 오세훈 씨가 쳐요. 정하린 명인은 북을 40년 넘게 쳤어요.",
     "그 사람 다른 무대에도 서?", "정하린", ["그 사람", "오세훈"]),
    # the kind the question asked for is the answer's, whatever title the reply gives the person
    ("'새봄 국악원'에서 가야금 가르치는 선생님이 누구예요?",
     "가야금은 이수아 명창이 가르치고, 해금은 김태오 선생님이 맡고 있어요.",
     "그 선생님 수업은 주말에도 있어요?", "이수아", ["그 선생님", "김태오"]),
]


@pytest.mark.parametrize(("question", "reply", "utterance", "expected", "absent"), ROUND_53_PICKS + ROUND_57_PICKS)
def test_what_the_clause_or_the_question_says_picks_the_option(
        injector: ContextInjector, question: str, reply: str, utterance: str, expected: str,
        absent: list[str]) -> None:
    rw = _rw(injector, question, reply, utterance)
    assert expected in rw and not any(a in rw for a in absent), rw


def test_a_written_word_kiwi_cut_counts_whole_when_an_option_says_it(analyzer: Analyzer) -> None:
    # Kiwi reads "잔먼지까지" as 잘 + ㄴ + 먼지 + 까지; an option said "잔먼지", another only "먼지"
    clause = analyzer.analyze("잔먼지까지 해 주는 그 상품")
    words = whole_written(clause.text, clause.tokens, {"먼지"}, [{"먼지", "닦"}, {"잔먼지", "치우"}])
    assert words == {"잔먼지"}, words
    # no option says the written word: the pieces stay
    assert whole_written(clause.text, clause.tokens, {"먼지"}, [{"먼지"}, {"창틀"}]) == {"먼지"}


EXCHANGE_PICKS = [
    # the last reply names the one place what the user picked happens at: "거긴" is that place, not the event
    (["서울에서 탈놀이 볼 수 있는 곳 있어?",
      "종로에 있는 '가온극장'에서 북청사자놀음 상설 공연을 하고, 마포의 '한뜰 놀이터'에서는 주말마다 하회탈춤을 해요.",
      "북청사자놀음 보고 싶어.", "북청사자놀음은 가온극장에서 매주 금요일과 토요일 저녁 7시에 해요."],
     "거긴 지하철로 어떻게 가?", "가온극장", ["거긴", "상설 공연", "한뜰"]),
    # "그쪽은" after a reply that settles on one option for what the user needs
    (["떡 맞출 데 어디가 좋아?", "'소반떡집'은 백설기가 유명하고, '다온 떡공방'은 답례떡을 주문 제작해요.",
      "돌잔치 답례떡이 필요해요.", "그럼 다온 떡공방을 추천드려요."],
     "그쪽은 당일 픽업도 돼요?", "다온 떡공방", ["그쪽", "소반"]),
    # a word of a name the reply gave is not said of the region before it ("성수동에 '포근한 커튼 하우스'가")
    (["커튼 직접 보고 살 데 있어?", "성수동에 '포근한 커튼 하우스'가 있고, 망원동에 '하루빛'이라는 매장이 있어요."],
     "커튼 위주로 볼 거예요. 그 매장 몇 시에 열어요?", "포근한 커튼 하우스", ["그 매장", "성수동"]),
]


@pytest.mark.parametrize(("turns", "utterance", "expected", "absent"), EXCHANGE_PICKS)
def test_the_exchange_settles_the_place_the_side_and_the_shop(
        injector: ContextInjector, turns: list[str], utterance: str, expected: str, absent: list[str]) -> None:
    rw = _rw_turns(injector, turns, utterance)
    assert expected in rw and not any(a in rw for a in absent), rw


def test_a_reduplicated_question_word_asks_for_the_people_the_reply_names(injector: ContextInjector) -> None:
    # "누구누구야?" asks who (several): the people of the answer are its referents, not complements of 이다
    state = injector.replay([HistoryTurn("user", "우리 동아리 회장단 누구누구야?"),
                             HistoryTurn("assistant", "회장은 윤서아 씨고, 부회장은 강도윤 씨예요.")])
    people = [e for e in state.entities if e.type == "person"]
    assert {e.text for e in people} == {"윤서아 씨", "강도윤 씨"} and not any(e.predicative for e in people), people


def test_the_one_said_with_the_exclusive_only_is_the_topic_of_an_elided_question(injector: ContextInjector) -> None:
    rw = _rw(injector, "'햇살 합창단'이랑 '물결 소년 합창단' 둘 다 내일 연습 있어?",
             "'물결 소년 합창단'은 내일 쉬고, '햇살 합창단'만 오후 4시에 구민회관에서 연습해요.", "몇 시까지 해?")
    assert rw.startswith("햇살 합창단") and "물결" not in rw, rw


ALTERNATIVES_KEPT = [
    # each the topic of its own clause of the question: the reply goes on with one of them
    ("해오름 불가마는 만 원이라던데, 달빛 스파랜드는 입장료 얼마야?",
     "달빛 스파랜드는 성인 주간 1만 2천 원, 야간 1만 5천 원이에요.",
     "주차도 돼?", "달빛 스파랜드", ["해오름"]),
    # joined before 중: the one the reply says is closed today is not the one asked on about
    ("'동네 떡방앗간'이랑 '햇살 기름집' 중에 오늘 여는 데 있어요?",
     "동네 떡방앗간은 오늘 정기 휴무고, 햇살 기름집은 정상 영업해요.",
     "몇 시까지 해요?", "햇살 기름집", ["떡방앗간"]),
    # an additive time asks the frame again, of the one the reply went on with
    ("'따숨설비'는 6시에 닫던데, '온누리 보일러'는 몇 시까지 해요?",
     "'온누리 보일러'는 평일 저녁 7시까지, 토요일은 오후 3시까지 해요.",
     "일요일도 해요?", "온누리 보일러", ["따숨"]),
    # the first the topic of a clause that gives the reason to take the second
    ("바늘나라는 열흘 걸린대서 라온수선에 맡기려고요.", "라온수선은 사흘이면 찾으실 수 있어요. 상가 2층에 있어요.",
     "차 가져가도 돼요?", "라온수선", ["바늘나라"]),
    ("핏플렉스는 샤워실이 좁대서 바디랩짐으로 등록하려고.", "바디랩짐은 이번 달에 가입비가 없어요.",
     "개인 락커도 있어?", "바디랩짐", ["핏플렉스"]),
    ("도담북카페는 자리가 없대서 책다락에 가려고.", "책다락은 지금 창가 자리가 비어 있어요.",
     "콘센트 있는 자리 있어?", "책다락", ["도담"]),
]


def test_the_option_said_with_the_thing_asked_of_answers_which(injector: ContextInjector) -> None:
    # "'B' 비빔국수가 …" after "'A'랑 'B' 중에 비빔국수 어디가 맛있어?": B answers, said with what was asked of it
    rw = _rw(injector, "'국수마당'이랑 '면채' 중에 비빔국수 어디가 맛있어?",
             "'면채' 비빔국수가 양념이 더 깔끔하다는 평이 많아요.", "오늘 몇 시까지 해?")
    assert rw.startswith("면채") and "국수마당" not in rw, rw


@pytest.mark.parametrize(("question", "reply", "utterance", "expected", "absent"), ALTERNATIVES_KEPT)
def test_an_elided_question_asks_of_the_alternative_the_reply_went_on_with(
        injector: ContextInjector, question: str, reply: str, utterance: str, expected: str,
        absent: list[str]) -> None:
    rw = _rw(injector, question, reply, utterance)
    assert rw.startswith(expected) and not any(a in rw for a in absent), rw


def test_a_relative_clause_tells_the_replys_times_apart_whatever_the_ranker_ordered(injector: ContextInjector) -> None:
    rw = _rw(injector, "'솔바람 목공방' 원데이 클래스 언제 있어요?",
             "토요일 오전 10시 반과 오후 2시에 있어요. 오전 반은 거의 찼고, 오후 2시 수업은 여유가 있어요.",
             "여유 있는 그 시간으로 두 명 신청할게요.")
    assert "오후 2시" in rw and "10시 반" not in rw and "그 시간" not in rw, rw


def test_what_a_reply_says_of_a_shortened_name_is_said_of_its_option(injector: ContextInjector) -> None:
    rw = _rw(injector, "선물용 차 세트 뭐 있어요?",
             "'맑은 녹차' 두 통 세트가 3만 원이고, 녹차와 홍차가 한 통씩 든 '다향 혼합 세트'가 2만 8천 원이에요. "
             "선생님 선물로는 혼합 세트를 많이 하세요.", "선생님 드릴 거라서 그 제품으로 할게요. 포장도 돼요?")
    assert "다향 혼합 세트로" in rw and "맑은 녹차" not in rw, rw


OFFERED_AGAIN = [
    # a name Kiwi reads as common nouns, offered beside another and named again by the reply that settles
    (["반찬 뭐 살까요?", "오늘은 꽈리고추찜이 잘 나왔고, 도라지무침은 새콤해서 인기가 많아요.", "매운 건 못 먹어요.",
      "그럼 도라지무침 한 팩 담아 드릴게요."],
     "그거 며칠까지 먹어도 돼요?", "도라지무침", ["그거", "꽈리고추찜"]),
    (["동네 태권도장 두 곳 중에 어디가 나아? 한빛태권도장이랑 푸른솔 태권도.",
      "한빛태권도장은 성인반이 매일 있고, 푸른솔 태권도는 어린이반 위주예요.", "나는 성인반 다니고 싶어.",
      "그럼 한빛태권도장이 맞겠어요. 저녁 8시 수업이 있어요."],
     "거긴 샤워실 있어?", "한빛태권도장", ["거긴", "푸른솔"]),
    (["문구점에서 만년필 잉크도 팔아?", "네, 블루블랙 병잉크는 1만 8천 원, 카트리지잉크는 6천 원에 팔아요.",
      "간편한 걸로 할래.", "카트리지잉크로 두 개 챙겨 둘게요."],
     "근데 이거 아무 만년필에나 맞아?", "카트리지잉크", ["이거", "병잉크"]),
    # where the options were quoted, a word the reply said of one is no option of its own
    (["캠핑 의자 뭐가 좋아요?", "'산들 릴렉스 체어'는 등받이가 높고, '가벼운 접이 의자'는 알루미늄프레임이라 가벼워요.",
      "무게가 제일 중요해요.", "그러면 알루미늄프레임이 들어간 쪽이 좋겠네요."],
     "그거 색상은 몇 가지예요?", "가벼운 접이 의자", ["그거", "산들"]),
]


@pytest.mark.parametrize(("turns", "utterance", "expected", "absent"), OFFERED_AGAIN)
def test_an_option_the_reply_before_offered_is_settled_when_named_again(
        injector: ContextInjector, turns: list[str], utterance: str, expected: str, absent: list[str]) -> None:
    rw = _rw_turns(injector, turns, utterance)
    assert expected in rw and not any(a in rw for a in absent), rw


def test_an_entity_remembers_the_replies_that_named_it_before(injector: ContextInjector) -> None:
    state = injector.replay([HistoryTurn("user", "반찬 뭐 살까요?"),
                             HistoryTurn("assistant",
                                         "오늘은 꽈리고추찜이 잘 나왔고, 도라지무침은 새콤해서 인기가 많아요."),
                             HistoryTurn("user", "매운 건 못 먹어요."),
                             HistoryTurn("assistant", "그럼 도라지무침 한 팩 담아 드릴게요.")])
    (picked,) = [e for e in state.entities if e.text == "도라지무침"]
    assert picked.turn == 4 and picked.replied == (2,), picked
    assert DialogueState.from_dict(state.to_dict()) == state


ORDERED_AGAIN = [
    # the frame only said which to take: a request for more orders the one the reply settled on
    (["카페에서 원두도 팔아?",
      "'해질녘 블렌드'는 200g에 1만 2천 원이고, 산미 있는 '아침이슬 싱글'은 200g에 1만 5천 원이에요.",
      "산미 있는 걸로 살래.", "아침이슬 싱글 한 봉 준비해 둘게요."],
     "한 봉 더 추가해 줘.", "아침이슬 싱글", ["산미", "해질녘"]),
    (["필라테스 소도구 뭐 팔아요?", "'코어링 프로'는 2만 원이고, 초보용 '소프트볼 미니'는 만 원이에요.",
      "초보용으로 살게요.", "소프트볼 미니 하나 챙겨 드릴게요."],
     "하나 더 넣어 주세요.", "소프트볼 미니", ["초보용", "코어링"]),
]


@pytest.mark.parametrize(("turns", "utterance", "expected", "absent"), ORDERED_AGAIN)
def test_a_request_for_more_after_a_choice_orders_what_the_reply_settled_on(
        injector: ContextInjector, turns: list[str], utterance: str, expected: str, absent: list[str]) -> None:
    rw = _rw_turns(injector, turns, utterance)
    assert rw.startswith(expected) and not any(a in rw for a in absent), rw


def test_a_time_whose_words_the_exchange_leaves_out_is_not_the_one_taken(injector: ContextInjector) -> None:
    # "레터링은 빼고" / "레터링 없이": the exchange names what the later time holds only to leave it out
    rw = _rw_turns(injector, ["케이크 주문 제작하면 언제 나와요?",
                              "지금 주문하시면 5월 9일에 나오고, 레터링까지 넣으면 5월 11일에 나와요.",
                              "레터링은 빼고 할게요.", "알겠습니다. 레터링 없이 진행할게요."],
                   "그때 몇 시부터 찾을 수 있어요?")
    assert rw == "5월 9일 몇 시부터 찾을 수 있어요?", rw
