"""Names the analyser must keep whole, and people named by a role, as context injection reads them."""

from __future__ import annotations

from dst import ContextInjector, HistoryTurn
from dst.analysis import Analyzer
from dst.types import DialogueState, Entity

U, A = "user", "assistant"


def _rw(injector: ContextInjector, turns: list[tuple[str, str]], utterance: str) -> str:
    return injector.rewrite([HistoryTurn(r, t) for r, t in turns], utterance).standalone  # type: ignore[arg-type]


def test_a_name_written_as_one_word_keeps_the_part_read_as_an_adverb_or_adjective(analyzer: Analyzer) -> None:
    # Kiwi reads 반짝 as an adverb and 맑은 as an adjective with its ending; the written word is still one name
    assert "반짝세탁소" in [m.text for m in analyzer.analyze("반짝세탁소 몇 시까지 해?").mentions]
    assert "맑은샘약국" in [m.text for m in analyzer.analyze("맑은샘약국 지금 열었어?").mentions]
    # a word with a particle inside is two words run together, not one name
    assert "서울에서부산" not in [m.text for m in analyzer.analyze("서울에서부산까지 얼마나 걸려?").mentions]


def test_a_name_whose_first_part_kiwi_reads_as_an_interjection_stays_whole(analyzer: Analyzer) -> None:
    # Kiwi reads 아이 of "아이캠" as an interjection, and 아 + 이 of "아이뷰" as an interjection and a determiner
    assert "아이캠 Q5" in [m.text for m in analyzer.analyze("아이캠 Q5가 제일 싸요.").mentions]
    assert "아이뷰 미니" in [m.text for m in analyzer.analyze("낮에는 아이뷰 미니가 잘 찍혀요.").mentions]


def test_a_name_whose_first_syllable_kiwi_reads_as_a_bound_noun_stays_whole(analyzer: Analyzer) -> None:
    # Kiwi reads 수 of "수림약국" as the bound noun 수 ("할 수"); the written word is still one name
    assert "수림약국" in [m.text for m in analyzer.analyze("철산동 수림약국이 평이 좋아요.").mentions]


def test_a_name_joined_by_wa_or_gwa_inside_one_word_stays_whole(analyzer: Analyzer) -> None:
    # "종이와연필" is a shop's name written as one word; a list is spaced ("종이와 연필"), and the spoken 이랑 run
    # into the next noun is casual typing of two things
    assert "종이와연필" in [m.text for m in analyzer.analyze("합정 종이와연필에서 샀어요.").mentions]
    assert [m.text for m in analyzer.analyze("치킨이랑피자 먹자").mentions] == ["치킨", "피자"]


def test_a_name_whose_last_syllable_kiwi_reads_as_a_numeral_stays_whole(analyzer: Analyzer) -> None:
    # Kiwi reads 오 of "한태오" and 삼 of "윤태삼" as numerals; glued to the name in one word, they end it (and 장인
    # is the title of a titled person)
    assert "한태오 장인" in [m.text for m in analyzer.analyze("30년 경력의 한태오 장인이 작업해요.").mentions]
    assert "윤태삼 장인" in [m.text for m in analyzer.analyze("30년 경력의 윤태삼 장인이 작업해요.").mentions]
    # a spaced numeral is a count
    assert [m.text for m in analyzer.analyze("사과 오 개 주세요").mentions] == ["사과", "오"]


def test_the_rewrite_carries_the_whole_name(injector: ContextInjector) -> None:
    turns = [(U, "반짝세탁소 운동화 세탁 돼?"), (A, "네, 운동화 한 켤레에 6천 원이에요.")]
    assert "반짝세탁소" in _rw(injector, turns, "그 세탁소 토요일에도 해요?")


def test_a_role_noun_that_holds_its_honorific_names_a_person_the_user_can_choose(injector: ContextInjector) -> None:
    turns = [(U, "법운사 체험은 어느 스님이 맡으세요?"),
             (A, "참선은 법인 스님이, 다도 체험은 도안 스님이 맡으세요.")]
    rewrite = _rw(injector, turns, "다도를 배워 보고 싶은데 그 스님 수업은 언제 있어요?")
    assert "도안 스님" in rewrite and "법인" not in rewrite


def test_an_aside_of_the_reply_is_not_what_an_attribute_question_asks_about(injector: ContextInjector) -> None:
    turns = [(U, "합정에 '바로픽스'라는 휴대폰 수리점 있어?"),
             (A, "합정역 근처에 '폰닥터'도 있지만, 물어보신 '바로픽스'는 5번 출구 앞 건물 2층에 있어요.")]
    rewrite = _rw(injector, turns, "영업시간은?")
    assert "바로픽스" in rewrite and "폰닥터" not in rewrite


def test_a_place_said_before_a_name_is_its_setting_not_another_option(injector: ContextInjector) -> None:
    turns = [(U, "경기도에 캠핑장 추천해 줘"),
             (A, "가평의 '솔숲 캠핑장'은 계곡이 가깝고, 포천의 '별빛 오토캠핑장'은 전기를 쓸 수 있어요.")]
    rewrite = _rw(injector, turns, "전기 쓸 수 있는 데는 예약 필수야?")
    assert "별빛 오토캠핑장" in rewrite and "솔숲" not in rewrite and "포천" not in rewrite


def test_after_a_request_for_a_venue_the_name_the_reply_makes_its_subject_is_the_venue(
        injector: ContextInjector) -> None:
    turns = [(U, "청주에 태양광 설치 업체 괜찮은 데 있을까요?"),
             (A, "청주라면 오창읍에 있는 해온솔라가 주택용 시공 후기가 좋아요. "
                 "세종 쪽까지 보시면 빛마루에너지도 있어요.")]
    rewrite = _rw(injector, turns, "거기서 설치하면 보조금 신청도 해 줘요?")
    assert "해온솔라" in rewrite and "세종" not in rewrite and "오창읍" not in rewrite


def test_a_reply_that_names_the_asked_thing_beside_another_one_asked_for_keeps_the_other(
        injector: ContextInjector) -> None:
    # the aside rule applies only when the reply's topic is the frame's thing and the frame asked for no other
    turns = [(U, "'노트픽스' 말고 다른 수리점 있어요?"), (A, "'노트픽스' 대신 '랩탑119'가 있어요.")]
    assert "랩탑119" in _rw(injector, turns, "영업시간은?")


def test_after_a_request_for_a_venue_the_first_name_is_the_venue_not_a_later_subject(
        injector: ContextInjector) -> None:
    turns = [(U, "성수동에 카페 추천해줘"), (A, "성수동 '어니언'을 추천해요. '팡도르'가 유명해요.")]
    rewrite = _rw(injector, turns, "거기 주차돼?")
    assert "어니언" in rewrite and "팡도르" not in rewrite


def test_a_verbal_noun_with_the_humble_deurida_is_a_predicate_not_part_of_a_name(injector: ContextInjector) -> None:
    turns = [(U, "가평 쪽이 집에서 더 가까워요"), (A, "그럼 산들양조소 추천드려요. 토요일 오후에 투어가 있어요.")]
    rewrite = _rw(injector, turns, "그곳까지 대중교통으로 어떻게 가요?")
    assert "산들양조소" in rewrite and "추천" not in rewrite and "가평" not in rewrite
    greeting = "안녕하세요! 오늘도 잘 부탁드려요."
    assert _rw(injector, turns, greeting) == greeting


def test_an_option_the_reply_closed_gives_way_to_the_one_it_left_open(injector: ContextInjector) -> None:
    turns = [(U, "목요일 저녁에 요가 수업 자리 있어요?"),
             (A, "목요일은 저녁 6시 반 수업이 두 자리 남아 있고, 8시 수업은 이미 마감됐어요.")]
    rewrite = _rw(injector, turns, "그 시간으로 예약해 주세요.")
    assert "6시 반" in rewrite and "8시" not in rewrite
    shops = [(U, "'소담 베이커리' 지점 중에 월요일에 여는 데 있어?"),
             (A, "합정점은 월요일 휴무이고, 망원점은 월요일에도 오전 9시부터 열어요.")]
    assert "망원점" in _rw(injector, shops, "그럼 그 지점으로 케이크 픽업 예약할게요.")
    # a clause of the user's own says which one it means; the closed one is not then set aside
    asked = injector.rewrite([HistoryTurn(r, t) for r, t in turns], "마감된 그 시간은 대기 신청도 안 돼요?")  # type: ignore[arg-type]
    assert not any(r.rule.endswith("+open") for r in asked.resolutions)


def test_a_given_name_said_alone_resolves_to_the_full_name_given_with_it(injector: ContextInjector) -> None:
    turns = [(U, "승선 명단에 두 명 추가해 줘. 윤서하랑 박도겸. 서하가 배는 처음이야"),
             (A, "네, 윤서하 님, 박도겸 님 명단에 추가했어요. 처음 타시는 분은 가운데 자리가 덜 흔들려요.")]
    rewrite = _rw(injector, turns, "걔 자리 가운데로 잡아줄 수 있어?")
    assert "윤서하" in rewrite and "박도겸" not in rewrite


def test_a_branch_said_after_its_brand_is_named_with_the_brand(injector: ContextInjector) -> None:
    turns = [(U, "영등포 쪽에 수영 강습 하는 데 알아?"),
             (A, "영등포역 앞에 있는 물결스윔 당산점이 성인 초급반을 잘 운영해. 문래동 아쿠아랩은 주로 키즈반이야.")]
    rewrite = _rw(injector, turns, "성인 초급반 한다는 거기, 한 달에 얼마야?")
    assert "물결스윔 당산점" in rewrite and "아쿠아랩" not in rewrite


def test_a_brand_the_user_said_before_the_anaphor_is_not_repeated(injector: ContextInjector) -> None:
    turns = [(U, "영등포 쪽에 수영 강습 하는 데 알아?"),
             (A, "영등포역 앞에 있는 물결스윔 당산점이 성인 초급반을 잘 운영해. 문래동 아쿠아랩은 주로 키즈반이야.")]
    assert _rw(injector, turns, "물결스윔 거기 한 달에 얼마야?") == "물결스윔 당산점 한 달에 얼마야?"


def test_an_unquoted_name_the_reply_makes_its_subject_is_the_venue_offered(injector: ContextInjector) -> None:
    turns = [(U, "양평에 카약 빌릴 데 있어?"),
             (A, "두물머리 바로 앞에 물보라카약이 2인용 카약을 시간당 3만 원에 빌려줘요.")]
    rewrite = _rw(injector, turns, "주차는 돼?")
    assert "물보라카약" in rewrite and "두물머리" not in rewrite
    # a place that is itself the subject stays the offer; what it has is no venue
    turns = [(U, "다른 스키장 추천해줘"), (A, "평창에 있는 설봉리조트가 초보 슬로프가 넓어서 좋아요.")]
    assert "설봉리조트" in _rw(injector, turns, "그곳 렌탈 가격은 얼마야?")


def test_an_elided_topic_takes_the_offered_branch_with_its_brand(injector: ContextInjector) -> None:
    turns = [(U, "첼로 줄이 끊어졌는데 망원동에 고칠 데 있어?"),
             (A, "소리현악 망원점에서 줄 교체를 해 줘요. 보통 3만 원 정도 받아요.")]
    assert "소리현악 망원점" in _rw(injector, turns, "당일에 바로 찾을 수 있어?")
    # a subject that comes after another subject is what the first one has, not the offer
    turns = [(U, "통관 빨리 되는 항구 있어?"), (A, "요즘은 광양항 3부두가 통관 처리가 빠른 편이에요.")]
    assert "통관 처리" not in _rw(injector, turns, "거기 냉동 컨테이너도 받아?")


def test_a_quoted_name_before_a_title_or_honorific_is_one_titled_person(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("'푸른세무회계'의 '윤하진' 세무사님이 담당이세요. '오재민' 님도 같이 봐요.").mentions
    people = {m.text: m.kind for m in mentions if m.kind == "person"}
    assert people == {"윤하진 세무사님": "person", "오재민 님": "person"}
    # a role said before the name keeps the person it already read
    assert [m.text for m in analyzer.analyze("부회장 이서진 씨는 해외 쪽을 봐요.").mentions if m.kind == "person"] \
        == ["부회장 이서진 씨"]


def test_a_noun_that_takes_nim_after_a_name_is_the_persons_title(analyzer: Analyzer) -> None:
    # 사범 is in no list of titles; the honorific says it is one
    mentions = analyzer.analyze("초등부는 한도겸 사범님이 맡으세요.").mentions
    assert ("한도겸 사범님", "person") in [(m.text, m.kind) for m in mentions]


def test_a_quoted_name_heads_the_noun_phrase_it_begins(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("'눈송이' 접이식 제설삽이 가볍고 '달무리' 세트를 빌려드려요.").mentions
    assert ("눈송이 접이식 제설삽", "item") in [(m.text, m.kind) for m in mentions]
    assert "달무리 세트" in [m.text for m in mentions]
    # a noun with no particle after the quote begins the predicate, not the name's phrase
    assert "손끝공방" in [m.text for m in analyzer.analyze("'손끝공방' 예약 가능해요").mentions]


def test_a_quoted_name_of_the_dialogue_is_read_whole_when_it_comes_back(
        analyzer: Analyzer, injector: ContextInjector) -> None:
    # alone, Kiwi reads 나 of "라비나" as the conjunctive particle ("or") and keeps 라비 as the name
    text = "라비나 탱고홀의 회비는 따로 있어?"
    assert "라비나 탱고홀" not in [m.text for m in analyzer.analyze(text).mentions]
    assert "라비나 탱고홀" in [m.text for m in analyzer.analyze(text, {"라비나 탱고홀"}).mentions]
    history = [(U, "밀롱가 열리는 데 있어?"), (A, "'라비나 탱고홀'에서 금요일 밤마다 열려요."),
               (U, "회비는 따로 있어?"), (A, "입장료 만 원에 음료 한 잔이 포함돼요.")]
    assert "라비나 탱고홀" in injector.replay([HistoryTurn(r, t) for r, t in history]).last_query  # type: ignore[arg-type]


def test_an_unknown_name_before_its_kind_noun_is_one_noun_phrase_with_it(analyzer: Analyzer) -> None:
    texts = [m.text for m in analyzer.analyze("이번 모임은 달무리책방 2층 세미나실에서 열려요.").mentions]
    assert "달무리책방 2층 세미나실" in texts and "세미나실" not in texts
    # a place before a name only locates it, and so does a place a spatial noun follows
    located = analyzer.analyze("양평 은하수천문대가 좋아요.").mentions
    assert [(m.text, m.modifier) for m in located][:2] == [("양평", True), ("은하수천문대", False)]
    assert "목포" in [m.text for m in analyzer.analyze("서해안고속도로 목포 방향으로 가고 있어.").mentions]


def test_an_untyped_proper_noun_right_before_a_quoted_name_locates_it(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("더 가까운 곳을 원하시면 영월 '솔바람 목장'도 있어요.").mentions
    assert [(m.text, m.modifier) for m in mentions if m.text in ("영월", "솔바람 목장")] == \
        [("영월", True), ("솔바람 목장", False)]


def test_geu_jjok_is_a_place_with_a_locative_particle_or_a_noun_but_not_the_person_addressed(
        injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "신림역 근처 PC방 추천해 줘"),
               HistoryTurn("assistant", "'넥스트존 PC방'이 24시간 하고 사양도 좋아요.")]
    assert injector.rewrite(history, "그쪽까지 버스로 얼마나 걸려?").standalone.startswith("넥스트존 PC방까지")
    assert injector.rewrite(history, "그쪽 사장님 친절해?").standalone.startswith("넥스트존 PC방 사장님")
    assert injector.rewrite(history, "그쪽은 이름이 뭐예요?").standalone == "그쪽은 이름이 뭐예요?"


def test_a_numbered_branch_belongs_to_the_name_before_it(analyzer: Analyzer) -> None:
    found = analyzer.analyze("신촌 떡방앗간 3호점만 일요일에 열어요.")
    first = found.mentions[0]
    assert (first.text, first.particle) == ("신촌 떡방앗간 3호점", "만")


def test_a_name_the_reply_quotes_and_says_again_is_read_whole_both_times(injector: ContextInjector) -> None:
    reply = ("'구름다듬 수선실'과 '바늘집'이 있어요. 바늘집은 택배 접수만 하고, 구름다듬 수선실은 매장에서 바로 "
             "고쳐 줘요.")
    state = injector.rewrite([HistoryTurn("user", "가방 수선 맡길 데 있어?"), HistoryTurn("assistant", reply)],
                             "고마워").state
    said = [e.text for e in state.entities if e.speaker == "assistant"]
    assert "구름다듬 수선실" in said and "구름" not in said
    rw = injector.rewrite([HistoryTurn("user", "가방 수선 맡길 데 있어?"), HistoryTurn("assistant", reply)],
                          "바로 고쳐 주는 데가 좋겠다. 거기 주차 돼?").standalone
    assert rw.endswith("구름다듬 수선실 주차 돼?")


def test_after_a_question_between_two_names_the_one_the_reply_answers_is_the_topic(
        injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "솔바람 제과점이랑 달빛 베이커리 2호점 중에 월요일에 여는 데 있어?"),
               HistoryTurn("assistant", "달빛 베이커리 2호점만 월요일에 열어요. 솔바람 제과점은 월요일이 휴무예요.")]
    rw = injector.rewrite(history, "몇 시까지 해?").standalone
    assert rw.startswith("달빛 베이커리 2호점") and "솔바람" not in rw


def test_a_word_kiwi_ends_with_a_prefix_is_one_name(analyzer: Analyzer, injector: ContextInjector) -> None:
    # Kiwi reads "안개재" as 안개/NNG + 재/XPN here; a prefix never ends a written word
    assert analyzer.analyze("안개재 곤돌라 성인 요금 얼마예요?").mentions[0].text.startswith("안개재 곤돌라")
    turns = [("user", "안개재 곤돌라 성인 요금 얼마예요?"), ("assistant", "성인 왕복은 1만 8천 원이에요.")]
    assert _rw(injector, turns, "청소년은요?") == "안개재 곤돌라 청소년 요금 얼마예요?"


def test_an_attribute_noun_after_a_name_shaped_word_is_no_title(analyzer: Analyzer) -> None:
    # "하부역" is name-shaped and 위치 ends like a title noun (코치); it is what is asked, not who
    analysis = analyzer.analyze("솔바람 케이블카 하부역 위치 알려줘.")
    assert [m.kind for m in analysis.mentions] == ["noun", "attribute"]
    assert analysis.mentions[0].text == "솔바람 케이블카 하부역"


def test_an_expectation_measured_against_is_not_a_referent(analyzer: Analyzer) -> None:
    assert [m.text for m in analyzer.analyze("가습기가 예상보다 무겁네.").mentions] == ["가습기"]
    assert [m.text for m in analyzer.analyze("평소보다 사람이 많아.").mentions] == ["사람"]


def test_a_noun_suffix_after_a_suffix_stays_in_the_name(analyzer: Analyzer) -> None:
    # Kiwi reads 박가네 as 박/NNP 가/XSN 네/XSN: the shop's name, not 방앗간 alone
    assert "박가네 방앗간" in [m.text for m in analyzer.analyze("박가네 방앗간은 몇 시에 열어요?").mentions]


def test_an_established_name_no_mention_held_is_read_whole(analyzer: Analyzer) -> None:
    text = "그럼 무약정 12개월권이 맞아요."
    assert [m.text for m in analyzer.analyze(text).mentions] == []  # 무/XPN 약정 12/SN 개월/NNB 권/XSN
    assert [m.text for m in analyzer.analyze(text, {"무약정 12개월권"}).mentions] == ["무약정 12개월권"]
    # a name's last word (or a one-word name) may be said as a plain word, so it is not forced
    plain = "그럼 15일짜리로 충분해요."
    assert analyzer.analyze(plain, {"로밍나비 아시아 15일", "15일"}).mentions == analyzer.analyze(plain).mentions


def test_one_noun_after_two_name_shaped_words_is_their_title(analyzer: Analyzer) -> None:
    # "가이드" is in no list of roles and ends like none, but the text sets two people side by side by it
    people = {m.text for m in analyzer.analyze("오전엔 구하람 가이드, 오후엔 임도경 가이드가 안내해요.").mentions
              if m.kind == "person"}
    assert {"구하람 가이드", "임도경 가이드"} <= people, people
    # one name alone gets no title this way, nor do names Kiwi reads an adjective in ("고운당": 곱 + 은 + 당)
    for text in ("오전엔 구하람 가이드가 안내해요.", "고운당 떡집, 고운채 떡집이 유명해요."):
        assert not [m for m in analyzer.analyze(text).mentions if m.kind == "person"], text


def test_a_pronoun_takes_the_one_of_two_people_titled_side_by_side_the_reply_settled(
        injector: ContextInjector) -> None:
    turns = [(U, "동굴 탐험 투어는 누가 안내해?"), (A, "오전엔 구하람 가이드, 오후엔 임도경 가이드가 맡아."),
             (U, "난 오후 타임 예약했어."), (A, "그럼 오후 담당 가이드가 안내할 거야.")]
    rw = _rw(injector, turns, "그 사람 경력이 몇 년이야?")
    assert "임도경" in rw and "구하람" not in rw, rw


def test_a_name_shaped_word_before_a_kind_of_place_is_a_named_place(analyzer: Analyzer) -> None:
    # "스포츠센터" ends like a title (큐레이터) and "썰매 + 장" like one (실장), but they are places: Kiwi cuts off
    # the 장 of a place and keeps a title's whole ("센터장", "사무국장")
    for text, name in (("서다온 스포츠센터는 샤워실이 있어요.", "서다온 스포츠센터"),
                       ("도담이 썰매장 가려는데 입장료 얼마야?", "도담이 썰매장")):
        found = next(m for m in analyzer.analyze(text).mentions if m.text == name)
        assert (found.kind, found.proper, found.role) == ("place", True, None), found
    for text in ("김도윤 센터장님이 맡아요.", "허다온 사무국장이 담당이에요."):
        assert analyzer.analyze(text).mentions[0].kind == "person", text


def test_a_name_kiwi_once_read_whole_is_not_cut_at_a_particle_later(injector: ContextInjector) -> None:
    # "비보도는" is read whole; alone, "비보도 월 수강권" is 비보 + 도 ("also")
    turns = [(U, "브레이킹 학원 어디가 좋아?"), (A, "비보도는 연습실 개방이 자유롭고, 브레이크하우스는 수업료가 싸요.")]
    state = injector.replay([HistoryTurn(r, t) for r, t in turns])
    assert "비보도" in state.names
    analysis = injector.rules.analyzer.analyze("비보도 월 수강권 얼마야?", state.names)
    assert analysis.mentions[0].text.startswith("비보도"), analysis.mentions
    # a person's name is not forced: given names end in 이 / 도 as often as not, and are said bare
    people = DialogueState(entities=(Entity("서지도", "person", 1, "assistant", proper=True),), turn=1)
    assert "서지도" not in people.names


def test_a_written_word_joined_by_an_ampersand_is_one_name(analyzer: Analyzer) -> None:
    # Kiwi cuts "로미&줄리" at the sign
    texts = [m.text for m in analyzer.analyze("로미&줄리 케이크 세트는 초가 들어 있어요.").mentions]
    assert "로미&줄리 케이크 세트" in texts, texts
    assert [m.text for m in analyzer.analyze("H&M 매장 어디야?").mentions] == ["H&M 매장"]


def test_a_name_kiwi_cut_into_an_adverb_or_a_subject_particle_stays_whole(analyzer: Analyzer) -> None:
    # 늘/MAG 솔 방문 재활 센터 and 온새미재 가/JKS 간호 센터: one written word each, so one name each
    texts = [m.text for m in analyzer.analyze("근처에 늘솔방문재활센터와 온새미재가간호센터가 있어요.").mentions]
    assert "늘솔방문재활센터" in texts and "온새미재가간호센터" in texts, texts
    # two words typed together are not one name
    assert "민지가회사" not in [m.text for m in analyzer.analyze("민지가회사에 가").mentions]


def test_a_quoted_full_name_with_an_honoured_title_is_a_person(analyzer: Analyzer) -> None:
    text = "'최윤서 원장님'은 경력이 10년이고, '한도영 씨'는 예약을 맡아요."
    found = {m.text: m for m in analyzer.analyze(text).mentions}
    assert found["최윤서 원장님"].kind == "person" and found["최윤서 원장님"].role == "원장", found
    # a quoted name with a plain title noun keeps the particle after its closing quote
    text = "상담은 '서지훈 상담사'가 해 주고, '오다은 강사'는 수업만 해요."
    found = {m.text: m for m in analyzer.analyze(text).mentions}
    assert found["서지훈 상담사"].kind == "person" and found["서지훈 상담사"].particle == "가", found


def test_a_numbered_branch_kiwi_cut_into_its_bound_nouns_stays_with_its_name(analyzer: Analyzer) -> None:
    # Kiwi reads "2호점에서만" as 2 + 호 + 점 + 에서 + 만; the branch is one named thing with the name before it
    found = {m.text: m for m in analyzer.analyze("수업은 솔빛공예 2호점에서만 해요.").mentions}
    assert "솔빛공예 2호점" in found and found["솔빛공예 2호점"].proper, found


def test_an_interjection_glued_to_a_noun_is_one_noun(analyzer: Analyzer) -> None:
    # Kiwi reads "자개 복원" as 자/IC 개/NNG ("come on, dog restoration")
    tokens = [(t.form, t.pos) for t in analyzer.analyze("'결고운 공방'은 자개 복원 전문이에요.").tokens]
    assert ("자개", "NNG") in tokens and not any(pos == "IC" for _, pos in tokens), tokens
    # a word of its own stays an interjection
    assert ("아", "IC") in [(t.form, t.pos) for t in analyzer.analyze("아 그거 좋다").tokens]


def test_a_verbal_noun_the_sentence_predicates_is_no_title(analyzer: Analyzer) -> None:
    # "반으로" has a name's shape and 접수 ends like a title noun (수), but 접수하다 is what the sentence does
    mentions = analyzer.analyze("네, 모레 오후 2시 반으로 접수할게요.").mentions
    assert [(m.text, m.kind) for m in mentions if m.kind in ("time", "person")] == [("모레 오후 2시 반", "time")]


def test_a_name_before_a_kind_of_venue_is_a_place_not_a_titled_person(injector: ContextInjector) -> None:
    # "심해도" reads like a surname and a given name, and 관 ends titles (경찰관), but 수족관 is a kind of venue
    state = injector.replay([HistoryTurn("user", "아이랑 갈 만한 데 추천해 줘."),
                             HistoryTurn("assistant", "'심해도 수족관'은 규모는 작지만 터치풀 체험이 있어요.")])
    assert not any(e.type == "person" for e in state.entities), state.entities
