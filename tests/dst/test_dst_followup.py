"""The follow-up gate (`dst.followup`): the shipped cross-encoder tells a question about the last exchange from a
new one, and completes questions with common nouns of their own that the word rules leave alone."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import dst as dst_cli
from dst import ContextInjector, DialogueState, HistoryTurn
from dst.analysis import Analyzer
from dst.ellipsis import frame_sentence, kept_by_reply
from dst.followup import BUNDLED, EXCHANGE_CHARS, FollowupGate, default_followup_gate, eligible_own_nouns, exchange_text
from dst.training.dialogues import WRITTEN
from korean.e5_lora import read_adapter, save_adapter

POTTERY = [HistoryTurn("user", "초록 도예공방 원데이 클래스 얼마예요?"),
           HistoryTurn("assistant", "초록 도예공방 원데이 클래스는 한 사람에 4만 원이고, 두 시간 동안 진행돼요.")]


@pytest.fixture(scope="module")
def gate() -> FollowupGate:
    loaded = default_followup_gate()
    assert loaded is not None, f"the bundled gate {BUNDLED} did not load"
    return loaded


def test_the_bundled_gate_records_how_it_was_made(gate: FollowupGate) -> None:
    assert 0.0 < gate.threshold < 1.0
    assert gate.meta["command"].startswith("assistant dst train-followup")
    assert gate.meta["calibration"]["false_rate"] == 0.01 and gate.meta["base_sha256"]


def test_the_gate_reads_a_question_about_the_exchange_above_one_of_another_topic(
        gate: FollowupGate, injector: ContextInjector) -> None:
    state = injector.replay(POTTERY)
    about = gate.probability("아이들 수업도 따로 있어요?", state)
    other = gate.probability("지하철 막차 몇 시에 끊겨?", state)
    assert about > gate.threshold > other


def test_a_question_with_its_own_common_noun_gets_the_named_place_before_it(injector: ContextInjector) -> None:
    out = injector.rewrite(POTTERY, "아이들 수업도 따로 있어요?")
    assert out.standalone.startswith("초록 도예공방") and out.standalone.endswith("아이들 수업도 따로 있어요?")
    assert any(r.rule.startswith("zero.followup-gate:") for r in out.resolutions)


def test_a_question_the_zero_detector_turns_down_is_completed_when_the_gate_reads_a_follow_up(
        injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "은하수 아이스링크 자유 스케이팅 시간 알려 줘"),
               HistoryTurn("assistant", "은하수 아이스링크 자유 스케이팅은 평일 오후 2시부터 6시까지예요.")]
    out = injector.rewrite(history, "주말엔 몇 시부터 열어?")
    assert out.standalone.startswith("은하수 아이스링크") and out.standalone.endswith("주말엔 몇 시부터 열어?")
    assert [r.rule.split(":")[0] for r in out.resolutions] == ["zero.frame-topic+followup-gate"]


def test_after_a_reply_that_offers_several_names_the_question_must_say_which(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "홍대 근처 도예공방 있어요?"),
               HistoryTurn("assistant", "'초록 도예공방'과 '푸른 가마'가 홍대입구역 근처에 있어요.")]
    assert injector.rewrite(history, "아이들 수업도 따로 있어요?").standalone == "아이들 수업도 따로 있어요?"


def test_after_several_names_a_noun_said_of_one_of_them_only_tells_which(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "드론 프로펠러 부러졌는데 고칠 데 있어?"),
               HistoryTurn("assistant", "'하늘정비소'는 프로펠러 교체를 해 주고, '윙스토어'는 새 부품만 팔아. "
                                        "하늘정비소는 택배 접수도 받아.")]
    rw = injector.rewrite(history, "택배로 보내면 며칠 걸려?").standalone
    assert "하늘정비소" in rw and "윙스토어" not in rw, rw


@pytest.mark.parametrize("utterance", ["지하철 막차 몇 시에 끊겨?", "고마워요 덕분에 살았어요", "요즘 날씨 너무 춥다",
                                       "지금 몇 시야?", "1부터 100까지 다 더하면 얼마야?", "그거 알아? 오늘 눈 온대"])
def test_a_new_topic_a_thanks_and_a_remark_stay_as_they_are(injector: ContextInjector, utterance: str) -> None:
    assert injector.rewrite(POTTERY, utterance).standalone == utterance


@pytest.mark.parametrize(("utterance", "eligible"), [
    ("아이들 수업도 따로 있어요?", True),
    ("택배로 보내 줄 수 있어요?", True),
    ("몇 층에 있어요?", False),  # a measure asked about is not a noun of its own
    ("'푸른 가마' 수업도 있어요?", False),  # a name of its own: a new topic, not a follow-up
    ("강남역 근처에도 있어요?", False),  # a place of its own: the anaphora and fragment rules read places
    ("제주도까지 택배 돼요?", True),  # a place the thing goes to is where, not what is asked about
    ("나 이거 잘할 수 있을까?", False),  # about the speakers
    ("그릇 예쁘다", False),  # a remark, not a question
    ("택배로 보내 주세요", False),  # a command: with an object of its own it is as often a new request
    ("지금 몇 시야?", False),  # no noun of its own: the zero detector's to read, not the gate's
])
def test_only_questions_with_common_nouns_and_no_names_of_their_own_are_read(analyzer: Analyzer, utterance: str,
                                                            eligible: bool) -> None:
    frame = analyzer.analyze(POTTERY[0].text)
    assert eligible_own_nouns(analyzer.analyze(utterance), frame, None) is eligible


def test_the_exchange_is_the_frame_and_the_start_of_its_reply() -> None:
    state = DialogueState(last_query="초록 도예공방 얼마예요?", last_reply="4만 원이에요." * 100)
    text = exchange_text(state)
    assert text.startswith("초록 도예공방 얼마예요? / 4만 원이에요.") and len(text) == EXCHANGE_CHARS


def test_a_missing_gate_file_or_one_of_other_base_weights_leaves_the_gate_off(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert FollowupGate.load(tmp_path / "absent.safetensors") is None
    tensors, meta = read_adapter(BUNDLED)
    other = tmp_path / "other.safetensors"
    save_adapter(other, tensors, {**meta, "base_sha256": "f" * 64})
    with caplog.at_level(logging.WARNING, logger="dst.followup"):
        assert FollowupGate.load(other) is None
    assert "ffff" in caplog.text


def test_train_followup_writes_a_gate_that_loads_with_its_command_and_threshold(tmp_path: Path,
                                                                                 shared_data: Path) -> None:
    small = tmp_path / "dialogues.jsonl"
    rows = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()[:12]]
    small.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "gate.safetensors"
    result = CliRunner().invoke(dst_cli.app, [
        "train-followup", "--out", str(out), "--data", str(small), "--shared-data", str(shared_data),
        "--open-negatives", "6", "--calibration", "20", "--rank", "2"])
    assert result.exit_code == 0, result.output
    gate = FollowupGate.load(out)
    assert gate is not None and 0.0 < gate.threshold < 1.0
    assert gate.meta["pairs"] == 18 and gate.meta["rank"] == 2 and gate.meta["calibration"]["pairs"] == 20
    assert gate.meta["command"].startswith("assistant dst train-followup")


def test_train_followup_names_a_missing_data_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(dst_cli.app, ["train-followup", "--data", str(tmp_path / "no.jsonl")])
    assert result.exit_code == 2 and "no.jsonl" in result.output


def test_the_gate_reads_a_pair_once(gate: FollowupGate, injector: ContextInjector) -> None:
    state = injector.replay(POTTERY)
    gate.clear_cache()
    calls = []
    scores = gate.scorer.scores

    def counted(pairs: list[tuple[str, str]]) -> Any:
        calls.append(pairs)
        return scores(pairs)

    gate.scorer.scores = counted  # type: ignore[method-assign]
    try:
        first = gate.probability("아이들 수업도 따로 있어요?", state)
        assert gate.probability("아이들 수업도 따로 있어요?", state) == first and len(calls) == 1
    finally:
        del gate.scorer.scores


def test_after_a_where_question_a_follow_up_asks_about_the_place_answered(injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "겨울용 와이퍼 어디서 사?"),
               HistoryTurn("assistant", "'바른길 카센터'에서 겨울용 와이퍼를 팔고 교체도 해 줘요. "
                                        "마트에도 있지만 교체는 안 해요.")]
    out = injector.rewrite(history, "교체비는 따로 받아?")
    assert out.standalone.startswith("바른길 카센터") and out.standalone.endswith("교체비는 따로 받아?")


def test_the_frame_is_the_question_not_the_reason_given_after_it(injector: ContextInjector) -> None:
    state = injector.replay([HistoryTurn("user", "박가네 방앗간은 몇 시에 열어요? 김가네 방앗간은 너무 늦게 열어서요."),
                             HistoryTurn("assistant", "아침 7시에 열어요.")])
    assert frame_sentence(injector.analyzer, state) == "박가네 방앗간은 몇 시에 열어요?"
    for last in ("그럼 한빛공방 토요일 오전반으로 예약해 줘.", "그럼 한빛공방으로 할게요."):
        state = injector.replay([HistoryTurn("user", f"일요일은 꽉 찼다며? {last}"), HistoryTurn("assistant", "네.")])
        assert frame_sentence(injector.analyzer, state) == last  # a request or a decision, not a reason


def test_of_two_named_alternatives_the_one_the_reply_takes_up_is_the_topic(injector: ContextInjector) -> None:
    asked = "솔밭 캠핑장은 너무 멀어서 별빛 캠핑장으로 알아보려고."
    reply = "좋아요, 별빛 캠핑장은 입구에 주차장이 있어요."
    state = injector.replay([HistoryTurn("user", asked), HistoryTurn("assistant", reply)])
    kept = kept_by_reply(injector.analyzer.analyze(asked, state.names), state)
    assert kept is not None and kept.text == "별빛 캠핑장"
    state = injector.replay([HistoryTurn("user", asked), HistoryTurn("assistant", "네, 두 곳 다 주차장이 있어요.")])
    assert kept_by_reply(injector.analyzer.analyze(asked, state.names), state) is None


@pytest.mark.parametrize(("turns", "utterance", "held", "absent"), [
    (["한빛 치과는 너무 멀어서 새솔 치과로 가려고.", "네, 새솔 치과는 역 바로 앞이에요."], "토요일에도 진료해?",
     "새솔 치과", "한빛"),  # the detector's completion
    (["솔밭 산장은 너무 멀어서 구름 산장으로 알아보려고.", "좋아요, 구름 산장은 주차장에서 바로 올라갈 수 있어요."],
     "이번 주 금요일에 2인실 있어?", "구름 산장", "솔밭"),  # the follow-up gate's completion
])
def test_an_elided_question_is_completed_with_the_alternative_the_reply_took_up(
        injector: ContextInjector, turns: list[str], utterance: str, held: str, absent: str) -> None:
    history = [HistoryTurn("user", turns[0]), HistoryTurn("assistant", turns[1])]
    out = injector.rewrite(history, utterance).standalone
    assert out.startswith(held) and absent not in out, out


def test_after_a_which_question_between_names_the_one_the_reply_answered_with_is_completed(
        injector: ContextInjector) -> None:
    history = [HistoryTurn("user", "탁구 동호회 '핑퐁클럽'이랑 '스핀하우스' 중에 신입 모집하는 데 있어?"),
               HistoryTurn("assistant", "핑퐁클럽은 이번 시즌 모집이 끝났고, 스핀하우스는 이달 말까지 신입을 받아.")]
    rw = injector.rewrite(history, "나이 제한 있어?").standalone
    assert "스핀하우스" in rw and "핑퐁클럽" not in rw, rw
