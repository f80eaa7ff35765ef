"""Noise never raises and never yields a rewrite over the bound; limits hold at N and N+1."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from dst import ContextInjector, DialogueState, DstConfig, DstInputError, HistoryTurn
from dst.analysis import Analyzer

U, A = "user", "assistant"
NOISE = [
    "", " ", "\n\t", "😀🔥👍", "hello, what's the weather?", "????", "ㅋㅋㅋㅋㅋ", "ㅠㅠ", "그거", "거기", "두 번째 거",
    "마지막 거", "1. 2. 3.", "『", "』『", "\u200b\u200b", "그 그 그 그", "은는이가", "123456789", "서울은?" * 50,
    "Zürich는?", "iPhone 15 Pro 가격은?", "<script>alert(1)</script>", "거기서 그때 그 사람이 그거 줬어?",
]


def _history() -> list[HistoryTurn]:
    return [HistoryTurn(U, "토요일 부산 서면 맛집 추천해줘"), HistoryTurn(A, ""), HistoryTurn(U, "   "),
            HistoryTurn(A, "1. 개미집 2. 할매국밥 🍲 and more"), HistoryTurn(U, "no hangul at all"),
            HistoryTurn(A, "😀" * 20)]


@pytest.mark.parametrize("utterance", NOISE)
def test_rewrite_never_raises_and_stays_bounded(injector: ContextInjector, utterance: str) -> None:
    rw = injector.rewrite(_history(), utterance)
    assert len(rw.standalone) <= injector.config.max_rewrite_chars
    DialogueState.from_dict(rw.state.to_dict())


def test_random_unicode_never_raises(injector: ContextInjector) -> None:
    rng = random.Random(7)
    alphabet = "가나다라그거기때사람번째은는도?!. 😀abcXYZ0123『』\n"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        history = [HistoryTurn(rng.choice([U, A]), "".join(rng.choice(alphabet) for _ in range(30))) for _ in range(4)]
        rw = injector.rewrite(history, text)
        assert len(rw.standalone) <= injector.config.max_rewrite_chars


@pytest.fixture(scope="module")
def small(analyzer: Analyzer) -> ContextInjector:
    return ContextInjector(DstConfig(max_rewrite_chars=40, max_history_turns=2), analyzer=analyzer)


def test_rewrite_bound_holds_at_n_and_n_plus_1(small: ContextInjector) -> None:
    at_limit = "가" * 40
    over = "가" * 41
    assert small.rewrite([], at_limit).standalone == at_limit and not small.rewrite([], at_limit).truncated
    rw = small.rewrite([], over)
    assert len(rw.standalone) <= 40 and rw.truncated


def test_rule_rewrite_longer_than_bound_falls_back_to_the_utterance(
    small: ContextInjector, injector: ContextInjector
) -> None:
    frame = "다음 주 토요일 오후 제주도 서귀포 중문관광단지 근처 날씨랑 바람이랑 파도 높이 자세히 좀 알려줄래?"
    state = injector.observe_reply(injector.rewrite([], frame).state, "맑아요.")
    assert len(injector.rewrite([], "모레는?", state).standalone) > 40  # what the rules make without the bound
    rw = small.rewrite([], "모레는?", state)
    assert rw.standalone == "모레는?" and rw.resolutions == []


def test_history_window_of_n_turns_ignores_turn_n_plus_1(small: ContextInjector) -> None:
    inside = [HistoryTurn(U, "내일 안동 날씨 어때?"), HistoryTurn(A, "맑아요.")]
    assert "안동" in small.rewrite(inside, "모레는?").standalone
    outside = [*inside, HistoryTurn(U, "고마워")]  # the window of 2 now starts at the assistant turn
    assert small.rewrite(outside, "거기 모레 날씨는?").standalone == "거기 모레 날씨는?"


def test_stored_state_gives_the_same_rewrite_as_replaying_history(injector: ContextInjector) -> None:
    history = [HistoryTurn(U, "이번 주말 양평 날씨 알려줘"), HistoryTurn(A, "주말 양평은 흐려요.")]
    first = injector.rewrite([], history[0].text)
    state = injector.observe_reply(first.state, history[1].text)
    assert injector.rewrite([], "가평은?", state).standalone == injector.rewrite(history, "가평은?").standalone


def test_non_string_input_is_an_input_error(injector: ContextInjector) -> None:
    with pytest.raises(DstInputError):
        injector.rewrite([], None)  # type: ignore[arg-type]
    with pytest.raises(DstInputError):
        injector.rewrite([HistoryTurn("system", "x")], "hi")  # type: ignore[arg-type]
    with pytest.raises(DstInputError):
        injector.observe_reply(DialogueState(), 3)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"strategy": "magic"}, {"max_rewrite_chars": 15}, {"max_history_turns": -1},
                                    {"lm_timeout_s": 0}])
def test_impossible_configuration_is_refused(kwargs: dict) -> None:
    with pytest.raises(ValidationError):
        DstConfig(**kwargs)


def test_dst_reads_with_the_processs_one_kiwi_and_keeps_its_compounds_whole(analyzer: Analyzer) -> None:
    from korean.kiwi import shared_kiwi

    assert analyzer.kiwi is shared_kiwi()
    cases = (("작은방에 불 켜줘", "작은방"), ("주차비는 얼마야?", "주차비"), ("초미세먼지 어때?", "초미세먼지"))
    for text, compound in cases:
        toks = analyzer.tokens(text)
        assert any(t.form == compound and t.tag == "NNG" for t in toks), [(t.form, t.tag) for t in toks]
        merged = next(t for t in toks if t.form == compound)
        assert text[merged.start:merged.end] == compound
        assert not any(t is not merged and merged.start < t.end and t.start < merged.end for t in toks)
