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
    closed = "첫 번째는 초록공방 원데이, 두 번째는 하늘공방 정규반, 마지막은 별빛공방 주말반이에요."
    assert tracker.ordinal_list(closed) == ["초록공방 원데이", "하늘공방 정규반", "별빛공방 주말반"]


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
    # the comma of an amount ("1,800원") ends no segment
    amounts = "한빛택배는 편의점끼리 보내서 1,800원부터고, 일반 택배는 집 앞까지 가서 4,000원부터야."
    assert tracker.ordinal_list(amounts) == ["한빛택배", "일반 택배"]


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


def test_an_option_picked_by_where_it_was_said_is_that_option(injector: ContextInjector) -> None:
    reply = "'달빛 라떼'는 고소하고, '새벽 콜드브루'는 산미가 있고, '흑당 밀크티'는 달콤해요."
    history = [HistoryTurn("user", "시그니처 음료 뭐 있어요?"), HistoryTurn("assistant", reply)]
    first = injector.rewrite(history, "맨 앞에 말한 거 얼마예요?")
    assert first.standalone == "달빛 라떼 얼마예요?"
    assert [r.kind for r in first.resolutions] == ["ordinal"]
    assert "흑당 밀크티" in injector.rewrite(history, "맨 뒤에 있는 거 디카페인 돼요?").standalone
    # a connective ending is no head noun: "처음 배우는데" says when, not which
    said = injector.rewrite(history, "처음 마셔보는데 뭐가 제일 덜 써요?")
    assert "처음 마셔보는데" in said.standalone and not any(r.kind == "ordinal" for r in said.resolutions)


@pytest.mark.parametrize(("utterance", "expected"), [
    ("둘째로 말한 거 아이스로도 돼요?", "새벽 콜드브루 아이스로도 돼요?"),
    ("두 번째로 추천해 준 거 얼마예요?", "새벽 콜드브루 얼마예요?"),
    ("마지막에 말씀하신 거 디카페인 돼요?", "흑당 밀크티 디카페인 돼요?"),
])
def test_an_ordinal_with_a_clause_of_saying_is_one_pick(injector: ContextInjector, utterance: str,
                                                        expected: str) -> None:
    # "둘째로 말한 거": the entry said second, one anaphor, not an ordinal and a second "말한 거"
    reply = "'달빛 라떼'는 고소하고, '새벽 콜드브루'는 산미가 있고, '흑당 밀크티'는 달콤해요."
    history = [HistoryTurn("user", "시그니처 음료 뭐 있어요?"), HistoryTurn("assistant", reply)]
    picked = injector.rewrite(history, utterance)
    assert picked.standalone == expected and [r.kind for r in picked.resolutions] == ["ordinal"], picked


def test_without_a_list_an_ordinal_picks_among_the_names_of_the_reply(injector: ContextInjector) -> None:
    reply = "해솔 캠핑장은 개수대가 넓어요. 조용한 곳을 원하시면 '달무리 캠핑장'도 있어요."
    history = [HistoryTurn("user", "가평 캠핑장 추천해 줘"), HistoryTurn("assistant", reply)]
    assert not injector.replay(history).lists  # two sentences, no list
    assert "달무리 캠핑장" in injector.rewrite(history, "두 번째 곳 예약돼?").standalone
    # a bare ordinal noun ("둘째" = the second child) or an ordinal of another noun picks no option
    for utterance in ("둘째가 좋아하는 노래 틀어 줘", "두 번째 이별 노래 추천해 줘"):
        assert injector.rewrite(history, utterance).standalone == utterance


def test_the_last_numbered_entry_ends_at_its_separator(tracker: Tracker) -> None:
    text = "1. '바람골 캠핑' – 계곡 옆\n2. '달무리 캠프' – 개별 화장실\n3. '소나무 언덕' – 반려견 가능"
    assert tracker.ordinal_list(text) == ["바람골 캠핑", "달무리 캠프", "소나무 언덕"]
    plain = "1. 바람골 캠핑\n2. 달무리 캠프\n3. 소나무 언덕: 반려견 가능"
    assert tracker.ordinal_list(plain) == ["바람골 캠핑", "달무리 캠프", "소나무 언덕"]


def test_a_label_followed_by_a_quoted_name_starts_an_entry(tracker: Tracker) -> None:
    text = ("'달빛 수목원'에는 산책로가 세 개 있어요. 첫째 '편백 숲길'은 30분, 둘째 '억새 언덕길'은 1시간, "
            "셋째 '전망대 능선길'은 2시간 걸려요.")
    assert tracker.ordinal_list(text) == ["편백 숲길", "억새 언덕길", "전망대 능선길"]


def test_a_quoted_last_entry_on_one_line_is_the_name(tracker: Tracker) -> None:
    text = "1. '솔숲 민박' 2. '파도소리 펜션' 3. '등대 게스트하우스'가 있어요."
    assert tracker.ordinal_list(text)[-1] == "등대 게스트하우스"


def test_entries_of_titled_people_keep_the_honorific(injector: ContextInjector) -> None:
    turns = [("user", "도예 선생님 추천해 주세요"),
             ("assistant", "박서윤 선생님(물레), 한도겸 선생님(핸드빌딩), 오지안 선생님(유약) 세 분이 계세요.")]
    rw = injector.rewrite([HistoryTurn(r, t) for r, t in turns], "마지막 분한테 수업 예약하고 싶어요")
    assert rw.standalone.startswith("오지안 선생님")


def test_a_numbered_entry_with_a_place_before_its_quoted_name_is_the_name(tracker: Tracker) -> None:
    text = "1. 속초 '파랑새호'\n2. 양양 '물보라 투어'\n3. 고성 '등대 크루즈'"
    assert tracker.ordinal_list(text) == ["파랑새호", "물보라 투어", "등대 크루즈"]


def test_the_count_after_a_conjoined_list_is_no_part_of_its_last_item(tracker: Tracker) -> None:
    two = tracker.ordinal_list("내일은 오전 7시 40분과 오후 1시 20분 두 편이 있어요.")
    assert two == ["오전 7시 40분", "오후 1시 20분"]
    assert tracker.ordinal_list("마포점과 합정점, 망원점 세 곳에서 팔아요.") == ["마포점", "합정점", "망원점"]
    # a count that is not the list's own stays with its item
    assert tracker.ordinal_list("사과와 배 세 개를 샀어요.") == ["사과", "배 세 개"]


def test_bulleted_lines_are_listed_in_order_and_an_ordinal_picks_one(tracker: Tracker,
                                                                     injector: ContextInjector) -> None:
    reply = ("세 곳이 있어요.\n- 한빛타워 주차장: 완속 6기\n- 소나무공영주차장: 2시간 무료\n"
             "• 새솔빌딩 주차장: 입주사 전용")
    assert tracker.ordinal_list(reply) == ["한빛타워 주차장", "소나무공영주차장", "새솔빌딩 주차장"]
    history = [HistoryTurn("user", "근처에 충전되는 주차장 알려줘"), HistoryTurn("assistant", reply)]
    assert "소나무공영주차장" in injector.rewrite(history, "두 번째 곳은 밤에도 열어?").standalone
    # a dash inside a sentence is no bullet
    assert tracker.ordinal_list("서울 - 부산 구간은 매진이에요.") == []


def test_below_and_above_pick_from_a_list_of_two_and_nothing_else(injector: ContextInjector) -> None:
    pair = "두 가지 코스가 있어요.\n· 숲길 산책 10회: 주 2회\n· 계곡 트레킹 8회: 주 1회, 점심 포함"
    history = [HistoryTurn("user", "걷기 코스 뭐 있어요?"), HistoryTurn("assistant", pair)]
    assert "계곡 트레킹" in injector.rewrite(history, "아래 거 신청하면 점심도 나와요?").standalone
    assert "숲길 산책" in injector.rewrite(history, "위에 거는 몇 시에 출발해요?").standalone
    three = "세 가지 코스가 있어요.\n· 숲길 산책\n· 계곡 트레킹\n· 야간 별보기"
    history = [HistoryTurn("user", "걷기 코스 뭐 있어요?"), HistoryTurn("assistant", three)]
    said = "아래 거 신청하면 점심도 나와요?"
    assert injector.rewrite(history, said).standalone == said  # with three, "아래" is no one position
    chat = [HistoryTurn("user", "책상 정리 중이야"), HistoryTurn("assistant", "좋아요, 깔끔해지겠네요.")]
    assert injector.rewrite(chat, "앞에 거 먼저 치울까?").standalone == "앞에 거 먼저 치울까?"


def test_a_quoted_name_that_says_where_the_others_are_is_no_option(tracker: Tracker) -> None:
    reply = "'햇살정원'에서는 직접 만든 '라벤더 사쉐'랑 '허브 캔들'을 팔아요."
    assert tracker.ordinal_list(reply) == ["라벤더 사쉐", "허브 캔들"]
    both = "'한빛서점'에 가거나 '두레서점'에 가 보세요."  # both said so: the places are the options
    assert tracker.ordinal_list(both) == ["한빛서점", "두레서점"]


def test_the_extreme_position_takes_its_spoken_head_directly(injector: ContextInjector) -> None:
    reply = "입장권은 세 가지예요.\n- 일반권: 1만 원\n- 체험 포함권: 2만 원\n- 가족권(4인): 3만 5천 원"
    history = [HistoryTurn("user", "입장권 종류 알려줘"), HistoryTurn("assistant", reply),
               HistoryTurn("user", "체험은 뭐 해?"), HistoryTurn("assistant", "나만의 열쇠고리를 만들어요.")]
    assert "가족권" in injector.rewrite(history, "그럼 맨 아래 거로 사면 체험도 돼?").standalone


def test_a_segment_names_its_option_after_what_it_first_says_of_it(tracker: Tracker) -> None:
    courses = "코스는 세 가지예요. 30분짜리 해안 코스, 한 시간짜리 전망대 코스, 그리고 두 시간짜리 섬 일주 코스."
    assert tracker.ordinal_list(courses) == ["해안 코스", "전망대 코스", "섬 일주 코스"]
    lenses = ("렌즈는 세 가지예요. 기본형 클리어원(20만 원), 시야가 넓은 클리어와이드(28만 원), "
              "고급형 클리어프로(35만 원).")
    assert tracker.ordinal_list(lenses) == ["클리어원", "클리어와이드", "클리어프로"]
    # where the modifier is what tells the options apart, the options keep it, with its noun suffix (형)
    kinds = "벽걸이형 분해세척 8만 원, 스탠드형 분해세척 12만 원이에요."
    assert tracker.ordinal_list(kinds) == ["벽걸이형 분해세척", "스탠드형 분해세척"]


def test_a_name_said_twice_keeps_the_modifier_that_tells_it_apart(tracker: Tracker) -> None:
    menu = "메뉴는 매운 짬뽕 9천 원, 하얀 짬뽕 9천 원, 볶음밥 8천 원이에요."
    assert "짬뽕" not in tracker.ordinal_list(menu)


def test_an_entry_goes_on_past_a_genitive_or_a_conjunction(tracker: Tracker) -> None:
    reply = ("세 곳이 있어요. 첫째, 중앙동 골목의 책다락은 만화 전문이에요. 둘째, 헌책장터는 물량이 많아요. "
             "셋째, 책여울은 검색이 편해요.")
    assert tracker.ordinal_list(reply) == ["중앙동 골목의 책다락", "헌책장터", "책여울"]
    repairs = ("방법이 셋이에요. 첫째, 체인만 바꾸면 2만 원. 둘째, 체인과 기어를 같이 바꾸면 5만 원. "
               "셋째, 바퀴 전체는 9만 원이에요.")
    assert tracker.ordinal_list(repairs)[1] == "체인과 기어"


def test_an_option_begins_at_its_written_word(tracker: Tracker) -> None:
    # Kiwi reads 각 of 각인 as the determiner "each"; the option is still the whole word
    reply = "토요일 오전 각인 팔찌 만들기, 토요일 오후 커플 반지 만들기, 일요일 오후 귀걸이 만들기가 남아 있어요."
    assert tracker.ordinal_list(reply)[0].startswith("각인 팔찌")


def test_segments_that_count_options_said_before_offer_none(tracker: Tracker) -> None:
    described = "그럼 앞의 두 개가 좋아요. 하나는 티가 거의 안 나고, 다른 하나는 눈매가 또렷해 보여요."
    assert tracker.ordinal_list(described) == []
    assert tracker.ordinal_list("국화는 가을이 제철이고, 나머지 두 가지는 사계절 구하기 쉬운 편이에요.") == []
    # unless what they open with are names: then they offer them
    offered = "두 대 있어요. 하나는 문서윤 님 차로 7시에 출발하고, 다른 하나는 백태오 님 차로 8시에 출발해요."
    assert [o.split()[0] for o in tracker.ordinal_list(offered)] == ["문서윤", "백태오"]


def test_a_reply_that_speaks_of_an_earlier_entry_by_its_ordinal_offers_no_new_list(tracker: Tracker) -> None:
    assert tracker.ordinal_list("초등학생 이상이면 두 코스 모두 가능하고, 첫 번째는 보호자가 함께해야 해요.") == []


def test_a_labelled_entry_keeps_its_noun_suffix(tracker: Tracker) -> None:
    reply = "첫 번째는 회원제 정기 구독, 두 번째는 단품 구매, 세 번째는 선물 세트예요."
    assert tracker.ordinal_list(reply) == ["회원제 정기 구독", "단품 구매", "선물 세트"]


def test_labels_that_speak_of_names_listed_before_them_offer_those_names(tracker: Tracker) -> None:
    reply = ("많이 찾는 건 '단풍 보온병 500', '구름 텀블러', '바람 미니병'이에요. 첫 번째는 보온이 12시간, 두 번째는 "
             "컵홀더에 맞고, 마지막 건 가방에 쏙 들어가요.")
    assert tracker.ordinal_list(reply) == ["단풍 보온병 500", "구름 텀블러", "바람 미니병"]


def test_labelled_entries_that_are_names_stay_the_list(tracker: Tracker) -> None:
    reply = "'청솔 캠프'도 괜찮지만, 첫째는 '바위섬 캠핑장', 둘째는 '소나무 숲 야영장'이에요."
    assert tracker.ordinal_list(reply) == ["바위섬 캠핑장", "소나무 숲 야영장"]


def test_an_ordinal_after_a_named_option_counts_its_own_noun(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "은하 케이블카랑 노을 케이블카 중에 어디가 더 길어?"),
               HistoryTurn("assistant", "은하 케이블카가 2.8킬로미터로 더 길고, 노을 케이블카는 1.9킬로미터예요.")]
    kept = "노을 케이블카는 마지막 상행이 몇 시예요?"
    assert injector.rewrite(history, kept).standalone == kept
    assert injector.rewrite(history, "마지막 거는 몇 시까지 해?").standalone == "노을 케이블카는 몇 시까지 해?"


def test_a_labelled_entry_is_the_name_after_what_describes_it(tracker: Tracker) -> None:
    reply = "두 건 있어요. 첫 번째는 화요일 시장에서 주운 빨간 머플러, 두 번째는 역 앞에서 주운 파란 장갑이에요."
    assert tracker.ordinal_list(reply) == ["빨간 머플러", "파란 장갑"]
    # a common kind noun after the clause names nothing; the entry's first phrase does
    reply = "방법은 두 가지예요. 첫 번째는 관리비로 내는 방법, 두 번째는 카드 자동이체예요."
    assert tracker.ordinal_list(reply) == ["관리비", "카드 자동이체"]


def test_bare_ordinal_words_label_the_names_after_them(tracker: Tracker) -> None:
    reply = "후보는 둘이에요. 첫째 김하람, 둘째 오세린. 투표는 내일까지예요."
    assert tracker.ordinal_list(reply) == ["김하람", "오세린"]
    # an ordinal before a time noun picks a time of a series: no label
    assert tracker.ordinal_list("첫째 주 토요일, 둘째 주 토요일에 열어요.") == ["첫째 주 토요일", "둘째 주 토요일"]


def test_a_labelled_entry_without_a_predicate_is_the_noun_phrase_it_ends_with(tracker: Tracker) -> None:
    reply = "방법은 두 가지예요. 첫째, 구청 누리집에서 온라인 신청. 둘째, 가까운 동사무소 방문 신청."
    assert tracker.ordinal_list(reply) == ["온라인 신청", "가까운 동사무소 방문 신청"]


def test_a_two_word_name_before_a_topic_particle_is_one_entry(tracker: Tracker) -> None:
    reply = "두 군데 있어요. 솔바람은 시장 안에, 다온도 방앗간은 역 앞에 있어요."
    assert tracker.ordinal_list(reply) == ["솔바람", "다온도 방앗간"]


def test_a_model_code_with_a_hyphen_stays_whole_in_its_entry(tracker: Tracker) -> None:
    reply = "고소차 12m는 8만 원, 스카이차 28m는 15만 원, 소형 리프트 KX-20은 5만 원이에요."
    assert tracker.ordinal_list(reply)[-1] == "소형 리프트 KX-20"


def test_an_ordinal_that_kiwi_cuts_in_two_still_indexes_the_list(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "이번 주 공방 체험 뭐 있어요?"),
               HistoryTurn("assistant", "'도자기 물레 체험', '가죽 지갑 만들기', '향초 클래스' 세 가지가 있어요.")]
    assert injector.rewrite(history, "둘째 거 얼마예요?").standalone == "가죽 지갑 만들기 얼마예요?"


def test_times_written_as_ranges_and_listed_with_commas_are_the_entries(injector: ContextInjector) -> None:
    reply = "오전 9시~11시, 오후 2시~4시, 저녁 7시~9시 중에 고르시면 돼요."
    history = [HistoryTurn("user", "상담 시간대 알려 줘."), HistoryTurn("assistant", reply)]
    rw = injector.rewrite(history, "마지막 걸로 해 줘.").standalone
    assert "저녁 7시" in rw and "오후 2시" not in rw, rw


def test_what_the_options_cost_is_no_list_of_options(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "미용 코스 뭐 있어요?"),
               HistoryTurn("assistant", "목욕 코스, 위생미용 코스, 전체 가위컷 코스가 있어요. "
                                        "소형견 기준으로 각각 3만 원, 4만 원, 7만 원이에요.")]
    picked = injector.rewrite(history, "두 번째 코스에 발톱 정리도 들어가요?")
    assert picked.standalone == "위생미용 코스에 발톱 정리도 들어가요?", picked


def test_an_ordinal_with_its_noun_counts_in_the_list_of_that_noun(injector: ContextInjector) -> None:
    # a later list of other things ("오전반, 오후반, 저녁반") does not hide the courses "두 번째 코스" counts in
    history = [HistoryTurn("user", "체험 프로그램 뭐 있어요?"),
               HistoryTurn("assistant", "숲 해설 코스, 나무 공예 코스, 야간 별 관찰 코스가 있어요."),
               HistoryTurn("user", "시간대는 어떻게 돼요?"),
               HistoryTurn("assistant", "오전반, 오후반, 저녁반으로 나뉘어요.")]
    picked = injector.rewrite(history, "두 번째 코스는 몇 시간 걸려요?")
    assert picked.standalone == "나무 공예 코스는 몇 시간 걸려요?", picked
    # a bare 거 counts in the last list
    assert injector.rewrite(history, "두 번째 거 몇 시에 끝나요?").standalone.startswith("오후반")
