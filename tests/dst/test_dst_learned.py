"""The learned parts of context injection: the antecedent ranker, the zero-anaphora detector, their training and
`assistant dst train`. Dialogues here are written for these tests (their own shops, products and people)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import dst as dst_cli
from dst import ContextInjector, HistoryTurn
from dst.analysis import Analyzer
from dst.anaphora import find_anaphors
from dst.ranking import AntecedentRanker, default_ranker, features
from dst.sibling import SiblingMatcher
from dst.training.dialogues import WRITTEN, load_dialogues
from dst.training.ranker import fit_ranker, ranker_examples
from dst.training.zero import ZeroExamples, fit_detector
from dst.types import DialogueState, Entity
from dst.zero import FEATURE_NAMES, ZeroDetector, default_zero_detector


def _turns(*texts: str) -> list[HistoryTurn]:
    return [HistoryTurn("user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(texts)]


def test_the_bundled_models_load_with_their_fitting_command_recorded() -> None:
    ranker, detector = default_ranker(), default_zero_detector()
    assert ranker is not None and detector is not None
    assert ranker.meta["command"].startswith("assistant dst train")
    assert 0.0 < ranker.threshold < 1.0 and 0.0 < detector.threshold < 1.0


def test_a_ranker_with_an_unknown_feature_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown features"):
        AntecedentRanker({"not-a-feature": 1.0}, 0.0, 0.5)
    broken = tmp_path / "ranker.json"
    broken.write_text("{not json", encoding="utf-8")
    assert AntecedentRanker.load(broken) is None and AntecedentRanker.load(tmp_path / "missing.json") is None
    assert ZeroDetector.load(tmp_path / "missing.json") is None


def test_a_place_anaphor_takes_the_named_place_not_the_kind_noun_of_the_reply(injector: ContextInjector) -> None:
    history = _turns("해오름베이커리 망원점 몇 시에 열어?", "망원점은 오전 8시에 열고, 역 근처 매장은 7시에 열어요.")
    rewrite = injector.rewrite(history, "거기 주차 가능해?")
    assert rewrite.standalone.endswith("망원점 주차 가능해?"), rewrite.standalone
    chosen = [r for r in rewrite.resolutions if r.span == "거기"]
    assert chosen and "망원점" in chosen[0].antecedent and "ranker" in chosen[0].rule


def test_a_bare_attribute_question_after_a_named_thing_gets_its_topic(injector: ContextInjector) -> None:
    history = _turns("해오름베이커리 망원점 몇 시에 열어?", "오전 8시에 열어요.")
    rewrite = injector.rewrite(history, "주차 돼요?")
    assert rewrite.standalone == "해오름베이커리 망원점 주차 돼요?"
    assert [r.kind for r in rewrite.resolutions] == ["zero"] and "detector" in rewrite.resolutions[0].rule


def test_a_question_counting_with_myeot_asks_about_the_frames_thing(injector: ContextInjector) -> None:
    history = _turns("'소금빛 서점' 합정점 가려고요", "합정역 7번 출구에서 걸어서 4분 거리예요.")
    rewrite = injector.rewrite(history, "몇 층이에요?")
    assert rewrite.standalone.startswith("소금빛 서점") and rewrite.standalone.endswith(" 몇 층이에요?")
    assert [r.kind for r in rewrite.resolutions] == ["zero"]


def test_a_complete_new_question_is_never_completed_by_the_detector(injector: ContextInjector) -> None:
    history = _turns("솔빛정원 카페 위치 알려 줘", "솔빛정원 카페는 양평 강하면에 있어요.")
    for utterance in ("오늘 저녁 뭐 먹을까?", "고마워 덕분에 잘 찾았어", "내일 비 와?"):
        assert injector.rewrite(history, utterance).standalone == utterance


def test_a_question_about_the_speakers_is_not_completed_from_the_frame(injector: ContextInjector) -> None:
    history = _turns("해오름베이커리 망원점 몇 시에 열어?", "해오름베이커리 망원점은 오전 8시에 열어요.")
    for utterance in ("나 어때?", "너 누구니?", "저 오늘 좀 피곤해 보여요?"):
        assert injector.rewrite(history, utterance).standalone == utterance


def test_a_means_in_ro_leaves_a_question_elided_but_not_a_command_of_its_own(injector: ContextInjector) -> None:
    history = _turns("'하늘정원 요가원' 주말반 있어요?", "네, 토요일 오전 10시에 주말반이 있어요.")
    assert injector.rewrite(history, "영어로도 수업해요?").standalone.startswith("하늘정원 요가원")
    # a command's 로 without 도 says what to change to: a request of its own
    assert injector.rewrite(history, "외출 모드로 바꿔 줘").standalone == "외출 모드로 바꿔 줘"
    # a word open text never uses before 로 is a name Kiwi cut 로 off ("드라코 + 로 + 는"): a topic of its own
    assert injector.rewrite(history, "드라코로는 몇 명이 한 팀이야?").standalone == "드라코로는 몇 명이 한 팀이야?"


def test_a_bare_noun_before_its_verb_beside_a_time_asks_of_the_frames_thing(injector: ContextInjector) -> None:
    history = _turns("'바른몸 필라테스' 평일 몇 시까지 해?", "밤 10시까지 해요.")
    assert injector.rewrite(history, "일요일에도 문 열어?").standalone.startswith("바른몸 필라테스")
    # alone, the phrase is as often the speakers' own
    assert injector.rewrite(history, "밥 먹었어?").standalone == "밥 먹었어?"


def test_three_written_words_of_common_nouns_name_the_frames_thing(injector: ContextInjector) -> None:
    history = _turns("초록 숲 음악회 이번 주 일요일에 열리지?", "네, 일요일 오후 3시에 열려요.")
    assert "초록 숲 음악회" in injector.rewrite(history, "입장료 얼마야?").standalone


def test_a_choice_naming_only_the_option_leaves_the_question_after_it_to_complete(injector: ContextInjector) -> None:
    history = _turns("한빛 수영장이랑 바다 수영장 중에 어디가 더 싸?",
                     "한빛 수영장이 월 6만 원으로 더 싸고, 바다 수영장은 8만 원이에요.")
    rewrite = injector.rewrite(history, "싼 데 다닐래. 몇 시에 열어?").standalone
    assert rewrite == "싼 데 다닐래. 한빛 수영장 몇 시에 열어?"


def test_a_reply_naming_one_entry_of_the_list_before_settles_the_topic(injector: ContextInjector) -> None:
    history = _turns("아이 수업 뭐 있어요?", "'튼튼 발레'는 5세부터, '꼬마 미술'은 7세부터 들을 수 있어요.",
                     "아이가 다섯 살이에요.", "그럼 튼튼 발레 수업으로 등록하시면 돼요.")
    rewrite = injector.rewrite(history, "주말에도 돼요?").standalone
    assert rewrite.startswith("튼튼 발레") and "꼬마" not in rewrite


def test_without_a_detector_nothing_is_completed(rules_injector: ContextInjector) -> None:
    history = _turns("해오름베이커리 망원점 몇 시에 열어?", "오전 8시에 열어요.")
    assert rules_injector.rewrite(history, "주차 돼요?").standalone == "주차 돼요?"


def test_ranker_training_is_deterministic_and_better_than_chance(analyzer: Analyzer) -> None:
    dialogues = load_dialogues([WRITTEN])[:160]
    injector = ContextInjector(analyzer=analyzer)
    examples = ranker_examples(dialogues, injector, None)
    first, second = fit_ranker(examples, {}), fit_ranker(examples, {})
    assert first.weights == second.weights and first.threshold == second.threshold
    accuracy = max(first.meta["cross_validated_accuracy"].values())
    assert accuracy > 0.5 and first.meta["decisions"] > 50


def test_the_detector_refuses_examples_of_one_kind_only() -> None:
    examples = ZeroExamples(ids=[f"d{i}" for i in range(6)], rows=[{FEATURE_NAMES[0]: 1.0}] * 6, labels=[1] * 6)
    with pytest.raises(ValueError, match="needs utterances that take the frame and ones that do not"):
        fit_detector(examples)


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not (SHARED / "nsmc").is_dir(), reason="the shared data (NSMC statements) is not present")
def test_dst_train_writes_both_models_and_reports_their_accuracy(tmp_path: Path) -> None:
    small = tmp_path / "dialogues.jsonl"
    rows = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()[:200]]
    small.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "models"
    result = CliRunner().invoke(dst_cli.app, ["train", "--out", str(out), "--data", str(small), "--encoder", "none",
                                              "--reviews", "200", "--shared-data", str(SHARED)])
    assert result.exit_code == 0, result.output
    assert "ranker:" in result.output and "zero detector:" in result.output
    ranker = AntecedentRanker.load(out / "antecedent_ranker.json")
    assert ranker is not None and ranker.meta["dialogues"] == 200
    assert ZeroDetector.load(out / "zero_detector.json") is not None


def test_dst_train_names_a_missing_data_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(dst_cli.app, ["train", "--out", str(tmp_path), "--data", str(tmp_path / "no.jsonl")])
    assert result.exit_code == 2 and "no.jsonl" in result.output


def test_a_lone_fragment_replaces_the_frame_word_it_is_a_sibling_of(injector: ContextInjector) -> None:
    history = _turns("물리 수행평가 범위 알려 줘", "물리 수행평가는 역학 단원까지예요.")
    rewrite = injector.rewrite(history, "그럼 화학은?")
    assert "화학" in rewrite.standalone and "물리" not in rewrite.standalone and "범위" in rewrite.standalone
    assert any("sibling" in r.rule for r in rewrite.resolutions)


def test_a_fragment_that_says_more_than_its_noun_is_not_matched_by_meaning(injector: ContextInjector) -> None:
    history = _turns("물리 수행평가 범위 알려 줘", "물리 수행평가는 역학 단원까지예요.")
    rewrite = injector.rewrite(history, "매일 같은 화학만")
    assert not any("sibling" in r.rule for r in rewrite.resolutions)


def test_without_an_encoder_there_is_no_sibling_matcher() -> None:
    assert SiblingMatcher.load(None) is None


def test_a_kind_noun_anaphor_finds_the_name_presented_as_one_of_its_kind(injector: ContextInjector) -> None:
    in_sentence = injector.rewrite(_turns("텀블러 뭐가 좋아?", "'새벽숲 보틀' 텀블러가 보온이 오래 가요."),
                                   "그 텀블러 뚜껑 따로 팔아?")
    assert "새벽숲 보틀" in in_sentence.standalone and "그 텀블러" not in in_sentence.standalone
    answered = injector.rewrite(_turns("성수동에 수제 구두 공방 알려 줘", "성수역 근처 '발길공방'이 20년 된 곳이에요."),
                                "그 공방 예약 필요해?")
    assert "발길공방" in answered.standalone


def test_a_kind_noun_anaphor_finds_the_name_offered_for_that_kind_after_a_choice(injector: ContextInjector) -> None:
    """The reply offered two names for the kind the user asked for, and the next reply settled on the one whose name
    does not say the kind: "그 작업실" is that one, not the other whose name ends with the noun."""
    studio = injector.rewrite(_turns(
        "주말에 도자기 물레 체험할 작업실 추천해 줘.",
        "망원동 '흙결 스튜디오'는 물레 수업이 강하고, 연남동 '소소 작업실'은 핸드빌딩 위주예요.",
        "집에서 가까운 데가 좋아.", "그럼 흙결 스튜디오가 맞겠네요. 주차도 돼요."), "그 작업실 예약은 어떻게 해?")
    assert "흙결 스튜디오" in studio.standalone and "소소" not in studio.standalone
    lantern = injector.rewrite(_turns(
        "초보용 캠핑 랜턴 뭐가 좋아?", "'반딧불 R2'는 가볍고, '오로라 맥스 랜턴'은 밝지만 무거워요.",
        "가벼운 게 좋겠어.", "그럼 반딧불 쪽이 맞을 거예요. 배터리는 따로 사야 해요."), "그 랜턴 최저가는 얼마야?")
    assert "반딧불 R2" in lantern.standalone and "오로라" not in lantern.standalone


def test_what_a_name_was_offered_for_survives_its_later_mentions_and_the_stored_state(
        injector: ContextInjector) -> None:
    state = injector.replay(_turns("캠핑용 랜턴 뭐가 좋아?", "'달무리 L3'가 밝고 가벼워요.",
                                   "배터리는 오래 가?", "달무리 L3는 8시간 가요."))
    offered = next(e for e in state.entities if e.text == "달무리 L3")
    assert offered.turn == 4 and "랜턴" in offered.asked_for
    assert DialogueState.from_dict(json.loads(json.dumps(state.to_dict(), ensure_ascii=False))) == state
    assert DialogueState.from_dict({"entities": [{"text": "달무리 L3", "type": "item", "turn": 2}]}) \
        .entities[0].asked_for == ()  # a state stored before the field reads as asked for nothing


def test_a_place_anaphor_takes_the_head_of_a_located_name(injector: ContextInjector) -> None:
    history = _turns("별자리 관측할 곳 추천해 줘", "가평 별내림천문대가 관측 프로그램이 좋아요.")
    rewrite = injector.rewrite(history, "거기 예약은 언제 해?")
    assert "별내림천문대" in rewrite.standalone and "거기" not in rewrite.standalone


def test_a_person_anaphor_keeps_the_name_with_its_title(injector: ContextInjector) -> None:
    history = _turns("동아리 회계 담당이 누구야?", "회계는 윤서하 총무님이 맡고 계세요.")
    rewrite = injector.rewrite(history, "그분한테 영수증 보내 줘")
    assert "윤서하" in rewrite.standalone


def test_a_role_anaphor_reaches_a_named_person_of_another_title(injector: ContextInjector) -> None:
    history = _turns("요가원에 임산부 요가 가르치는 선생님 계셔?", "네, 임산부 요가는 한소율 원장님이 맡고 계세요.")
    rewrite = injector.rewrite(history, "그 선생님 토요일에도 수업해?")
    assert "한소율" in rewrite.standalone


def test_a_one_word_fragment_replaces_only_the_word_it_stands_for(injector: ContextInjector) -> None:
    rewrite = injector.rewrite(_turns("현무암 정원 입장료 얼마야?", "현무암 정원은 성인 5천 원이에요."),
                               "화강암은?")
    assert "화강암" in rewrite.standalone and "정원" in rewrite.standalone and "현무암" not in rewrite.standalone
    model = injector.rewrite(_turns("갤럭시 9 배터리 얼마나 가?", "하루 정도 가요."), "아이폰은?")
    assert model.standalone == "아이폰 배터리 얼마나 가?"  # "갤럭시 9" is one name, replaced whole


def test_a_relative_clause_picks_the_option_it_describes(injector: ContextInjector) -> None:
    reply = "마그네슘 젤리는 숙면에, 철분 정제는 빈혈에 좋아요. 철분 정제는 공복에 드세요."
    history = _turns("비타민 뭐 먹을까?", reply)
    rewrite = injector.rewrite(history, "공복에 먹으라는 그거 하루에 몇 알이야?")
    assert "철분 정제" in rewrite.standalone and "마그네슘" not in rewrite.standalone
    assert any("clause" in r.rule for r in rewrite.resolutions)


def test_a_follow_up_command_acts_on_the_frames_object_not_its_device(injector: ContextInjector) -> None:
    rewrite = injector.rewrite(_turns("거실 스피커로 빗소리 틀어 줘", "빗소리를 재생할게요."), "좀 더 작게 해 줘")
    assert rewrite.standalone == "빗소리 좀 더 작게 해 줘"


def test_a_follow_up_command_keeps_the_number_that_names_the_frames_device(injector: ContextInjector) -> None:
    rewrite = injector.rewrite(_turns("코인빨래방 4번 건조기 30분 돌려 줘.",
                                      "4번 건조기를 중온으로 30분 작동시켰어요. 5번 건조기는 사용 중이에요."),
                               "온도 좀 더 올려 줘.")
    assert "4번 건조기" in rewrite.standalone and "5번" not in rewrite.standalone


def test_a_request_for_more_repeats_the_requesting_frames_object(injector: ContextInjector) -> None:
    history = _turns("배드민턴 셔틀콕 한 통 주문해 줘", "요넥스 셔틀콕 한 통을 주문했어요.")
    rewrite = injector.rewrite(history, "두 통 더 시켜 줘")
    assert "셔틀콕" in rewrite.standalone and rewrite.standalone.endswith("두 통 더 시켜 줘")


def test_a_fragment_with_the_frames_head_replaces_only_its_modifiers(injector: ContextInjector) -> None:
    history = _turns("하늘빛 헤어 뿌리 펌 가격이 얼마예요?", "뿌리 펌은 4만 원부터예요.")
    out = injector.rewrite(history, "전체 펌은?").standalone
    assert "하늘빛 헤어 전체 펌" in out and "뿌리" not in out


def test_zero_completion_keeps_a_name_read_as_the_frames_object(injector: ContextInjector) -> None:
    history = _turns("솔바람 농장 딸기 따기 체험 한 명에 얼마야?", "한 명에 2만 원이고 딴 딸기는 1kg까지 가져가요.")
    out = injector.rewrite(history, "주차는 돼?").standalone
    assert out.startswith("솔바람 농장") and out.endswith("주차는 돼?")


def test_an_elided_request_continues_the_last_sentence_of_a_frame_of_several(injector: ContextInjector) -> None:
    history = _turns("금요일은 자리 없다며? 그럼 은가람 도예공방 토요일 오후 반으로 2명 예약해 줘.",
                     "은가람 도예공방 토요일 오후 2시 반에 2명 예약했어요.")
    rewrite = injector.rewrite(history, "한 명만 더 추가해 줘.").standalone
    assert "은가람 도예공방" in rewrite and "금요일" not in rewrite


def test_the_ranker_reads_an_event_and_its_venue_from_one_sentence(injector: ContextInjector) -> None:
    state = injector.replay(_turns("이번 달 독서 모임 어디서 해?", "정기 모임은 '달무리책방' 2층 세미나실에서 열려요."))
    anaphor = find_anaphors(injector.analyzer.analyze("거기 주차돼?"))[0]
    read = {e.text: features(anaphor, e, state) for e in state.entities}
    assert read["정기 모임"].get("place:hosted") == 1.0 and "place:venue" not in read["정기 모임"]
    assert read["세미나실"].get("place:venue") == 1.0


def test_the_ranker_reads_which_option_a_reply_sets_aside_and_which_it_offers(injector: ContextInjector) -> None:
    reply = "'스핀킹 프로'는 예산을 넘고, '라이트윙 S'가 가볍고 좋아요."
    state = injector.replay(_turns("초보용 라켓 추천해 줘", reply))
    anaphor = find_anaphors(injector.analyzer.analyze("그거 주문해 줘"))[0]
    read = {e.text: features(anaphor, e, state) for e in state.entities}
    assert read["스핀킹 프로"].get("contrast:set_aside") == 1.0 and read["라이트윙 S"].get("contrast:offered") == 1.0
    assert [e.sentence for e in state.entities if e.speaker == "assistant"] == [0, 0, 0]


def test_the_noun_a_frame_asked_which_of_is_not_carried(injector: ContextInjector) -> None:
    history = _turns("물빛수영장은 무슨 요일에 쉬어?", "물빛수영장은 화요일에 쉬어요.")
    assert injector.rewrite(history, "몇 시까지 해?").standalone == "물빛수영장 몇 시까지 해?"


def test_a_request_repeated_after_a_remark_takes_the_requests_details(injector: ContextInjector) -> None:
    history = _turns("'별하늘 천문대' 12월 5일 저녁 7시 관측권 세 장 예약해 줘.",
                     "12월 5일 저녁 7시 별하늘 천문대 관측권 3매 예약했어요.")
    rewrite = injector.rewrite(history, "아 동생도 온대. 한 장 더 예약해 줘.").standalone
    assert rewrite.startswith("아 동생도 온대. ") and "12월 5일" in rewrite and "관측권" in rewrite


def test_asking_for_a_cheaper_one_compares_with_the_option_the_reply_settled_on(injector: ContextInjector) -> None:
    history = _turns("소담공방이랑 마루공방 둘 다 머그컵 팔지?",
                     "네, 소담공방은 '달항아리 머그'가 3만 원이고, 마루공방은 머그컵을 주문 제작으로만 받아요.",
                     "소담공방 걸로 보고 있어.", "달항아리 머그는 손으로 빚어서 하나하나 모양이 조금씩 달라요.")
    rewrite = injector.rewrite(history, "더 싼 건 없어?")
    assert rewrite.standalone == "달항아리 머그 더 싼 건 없어?"
    assert rewrite.resolutions[0].rule.endswith("compared:1.00")


def test_asking_for_a_cheaper_one_after_a_question_about_one_named_thing_compares_with_it(
        injector: ContextInjector) -> None:
    history = _turns("'솔바람 요가원' 주 3회반은 한 달에 얼마예요?", "주 3회반은 한 달에 15만 원이에요.")
    rewrite = injector.rewrite(history, "더 싼 건 없어요?")
    assert rewrite.standalone.startswith("솔바람 요가원") and rewrite.standalone.endswith("더 싼 건 없어요?")
    assert rewrite.resolutions[0].rule.endswith("compared:1.00")
    # after a question about two that the reply answered for both, it does not say which it is compared with
    history = _turns("'솔바람 요가원'이랑 '달빛 필라테스' 둘 다 한 달에 얼마예요?", "두 곳 다 한 달에 15만 원이에요.")
    assert injector.rewrite(history, "더 싼 건 없어요?").standalone == "더 싼 건 없어요?"


def test_asking_for_a_cheaper_one_after_a_reply_that_named_one_thing_compares_with_that_thing(
        injector: ContextInjector) -> None:
    # the question named a shop or nothing in particular; the reply named the one thing it priced
    history = _turns("'솔숲 가구'에 원목 책장 있어요?", "'노르딕 오크 책장'이 있는데 폭 120cm에 95만 원이에요.")
    rewrite = injector.rewrite(history, "더 싼 건요?")
    assert rewrite.standalone == "노르딕 오크 책장보다 더 싼 건요?", rewrite.standalone
    assert rewrite.resolutions[0].rule == "zero.compared-with-reply"
    history = _turns("안방 커튼 하나만 바꾸려는데 '포근 암막 커튼'은 얼마예요?",
                     "포근 암막 커튼은 안방 창 크기 기준으로 12만 원이에요. 설치비 포함이에요.")
    assert injector.rewrite(history, "더 싼 건 없어요?").standalone == "포근 암막 커튼보다 더 싼 건 없어요?"


def test_a_question_about_opening_hours_takes_the_place_the_reply_answered_with(injector: ContextInjector) -> None:
    history = _turns("망원동에 가죽 지갑 각인해 주는 곳 있어요?",
                     "'가죽담 공방'이 각인 전문이에요. 근처 '소소 잡화점'에서는 완제품만 팔아요.")
    rewrite = injector.rewrite(history, "오늘 몇 시까지 해요?")
    assert rewrite.standalone == "가죽담 공방 오늘 몇 시까지 해요?", rewrite.standalone
    assert rewrite.resolutions[0].rule.endswith("hours:1.00")


def test_a_short_name_is_carried_as_the_full_name_said_before(injector: ContextInjector) -> None:
    history = _turns("텀블러랑 빨대 세트 둘 다 사려고.",
                     "초록상회에 둘 다 있어요. '숲속 보온 텀블러'는 4만 원, '대나무 빨대 세트'는 9천 원이에요.",
                     "텀블러가 생각보다 비싸네.", "진공 이중 구조라서 가격대가 좀 있어요.")
    assert injector.rewrite(history, "더 싼 건?").standalone == "숲속 보온 텀블러 더 싼 건?"


def test_a_short_name_inside_a_full_name_is_carried_as_the_full_name() -> None:
    from dst.zero import fuller

    def named(text: str, turn: int) -> Entity:
        return Entity(text, "item", turn, "assistant", role="title", proper=True)

    # the word said is a word of one full name, not only its last ("흑마늘진액" of "청솔 흑마늘진액 30포")
    state = DialogueState(entities=(named("청솔 흑마늘진액 30포", 2), named("해담 홍삼정 골드", 2)), turn=4)
    assert fuller("흑마늘진액", state) == "청솔 흑마늘진액 30포"
    # a word two full names hold, or part of a word, says no one name
    state = DialogueState(entities=(named("청솔 흑마늘진액 30포", 2), named("청솔 흑마늘진액 60포", 2)), turn=4)
    assert fuller("흑마늘진액", state) == "흑마늘진액" and fuller("마늘", state) == "마늘"
    # the head of the compound that ends one full name is one of its kind ("솔" of "대나무 손잡이 찻솔")
    state = DialogueState(entities=(named("대나무 손잡이 찻솔", 2), named("무쇠 주물 찻주전자", 2)), turn=4)
    assert fuller("솔", state) == "대나무 손잡이 찻솔" and fuller("크림", state) == "크림"
    # words that end one full name ("한우 진밥" of "소담이 한우 진밥"); the ending of two names says neither
    state = DialogueState(entities=(named("소담이 한우 진밥", 2), named("오물오물 단호박 퓨레", 2)), turn=4)
    assert fuller("한우 진밥", state) == "소담이 한우 진밥" and fuller("단호박 진밥", state) == "단호박 진밥"
    state = DialogueState(entities=(named("소담이 한우 진밥", 2), named("튼튼이 한우 진밥", 2)), turn=4)
    assert fuller("한우 진밥", state) == "한우 진밥"


def test_a_request_repeated_takes_the_sentence_that_asked_not_the_whole_turn(injector: ContextInjector) -> None:
    request = ("외국인이 많은 축제라 안내문이 필요해. 옆 부스 '불꽃 크루' 안내문은 이미 있어. "
               "'꽃잎 밴드' 공연 안내문 초안 써 줘.")
    history = _turns(request, "초안이에요: 꽃잎 밴드 공연 – 오후 3시, 중앙 무대, 30분.")
    rw = injector.rewrite(history, "영어로도 써 줘.").standalone
    assert "꽃잎 밴드" in rw and "불꽃 크루" not in rw and "외국인" not in rw, rw


def test_a_question_after_a_background_clause_gets_the_frames_thing_before_it(injector: ContextInjector) -> None:
    history = _turns("'바다향 요트투어' 예약할 수 있어?", "네, 매일 오후 3시에 출발해요.")
    rw = injector.rewrite(history, "부모님이 외국인인데 영어로도 안내해 줘?").standalone
    assert rw.startswith("부모님이 외국인인데 ") and "바다향 요트투어" in rw.split("인데", 1)[1], rw


def test_a_where_from_question_between_two_names_is_answered_by_the_one_said_with_eseo(
        injector: ContextInjector) -> None:
    history = _turns("'종이숲'이랑 '펜앤잉크' 중에 어디서 만년필 잉크 살 수 있어?",
                     "만년필 잉크는 종이숲에서만 팔아요. 펜앤잉크는 펜 수리 위주예요.")
    rw = injector.rewrite(history, "일요일에도 문 열어?").standalone
    assert "종이숲" in rw and "펜앤잉크" not in rw, rw


def test_a_bare_reaction_leaves_the_question_before_it_as_the_frame(injector: ContextInjector) -> None:
    history = _turns("'바람의 정원' 금요일 공연 표 남았어?", "금요일은 매진이에요. '달빛 소나타'는 금요일 표가 있어요.",
                     "아 아쉽다.", "취소표가 나올 수도 있어요.")
    rw = injector.rewrite(history, "그럼 토요일은?").standalone
    assert "바람의 정원" in rw and "토요일" in rw and "아쉽" not in rw, rw


def test_a_question_with_a_quoted_name_and_a_predicate_of_its_own_is_whole(injector: ContextInjector) -> None:
    history = _turns("'초록바다 수영장' 자유수영은 얼마야?", "성인 8천 원이에요.")
    utterance = "'푸른물결' 아쿠아로빅 반은 한 달에 얼마예요?"
    assert injector.rewrite(history, utterance).standalone == utterance
