"""Comparison follow-ups (`dst.comparison`): the frame supplies the other side. The dialogues are written for these
tests (their own shops and products)."""

from __future__ import annotations

from dst import ContextInjector, HistoryTurn


def _turns(*texts: str) -> list[HistoryTurn]:
    return [HistoryTurn("user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(texts)]


def test_a_comitative_comparison_takes_the_frame_as_its_object(injector: ContextInjector) -> None:
    history = _turns("하나로마트 한우 등심 100그램 가격 얼마야?", "하나로마트 한우 등심은 100그램에 1만 2천 원이에요.")
    rewrite = injector.rewrite(history, "이마트랑 비교하면 어때?")
    assert rewrite.standalone.startswith("하나로마트 한우 등심")
    assert rewrite.standalone.endswith("이마트랑 비교하면 어때?")
    assert any(r.rule == "comparison.object" for r in rewrite.resolutions)


def test_a_comparative_takes_the_frames_named_thing_as_its_standard(injector: ContextInjector) -> None:
    history = _turns("모닝 하루 렌트비 얼마예요?", "모닝은 하루 4만 원이에요.")
    rewrite = injector.rewrite(history, "레이는 얼마나 더 비싸요?")
    assert "모닝" in rewrite.standalone and "보다 레이는 얼마나 더 비싸요?" in rewrite.standalone


def test_a_comparison_the_frame_does_not_frame_is_left_alone(injector: ContextInjector) -> None:
    history = _turns("오늘 기분이 좀 그래", "무슨 일 있었어요?")
    assert injector.rewrite(history, "동생은 나보다 더 바빠?").standalone == "동생은 나보다 더 바빠?"
    same = _turns("모닝 하루 렌트비 얼마예요?", "모닝은 하루 4만 원이에요.")
    assert injector.rewrite(same, "모닝이 더 싸?").standalone == "모닝이 더 싸?"


def test_a_which_question_lists_the_options_the_reply_named(injector: ContextInjector) -> None:
    history = _turns("등산화 수선 맡기려는데 어디가 좋아?",
                     "'바른발 수선실'은 밑창 교체가 3만 원이고, '튼튼구두방'은 2만 5천 원이에요.")
    rewrite = injector.rewrite(history, "그럼 어느 쪽이 더 빨리 돼?")
    assert rewrite.standalone == "그럼 바른발 수선실, 튼튼구두방 중 어느 쪽이 더 빨리 돼?"
    assert [r.rule for r in rewrite.resolutions] == ["comparison.options"]


def test_a_which_question_after_options_the_user_named_takes_them(injector: ContextInjector) -> None:
    history = _turns("'하늘숲 캠핑장'이랑 '달빛 오토캠핑장' 중에 전기 쓸 수 있는 데 있어?",
                     "두 곳 모두 전기 사용이 가능해요.")
    rewrite = injector.rewrite(history, "샤워장은 어디가 더 깨끗해?")
    assert "하늘숲 캠핑장" in rewrite.standalone and "달빛 오토캠핑장" in rewrite.standalone


def test_what_is_not_which(injector: ContextInjector) -> None:
    history = _turns("'바른발 수선실' 밑창 교체 얼마야?", "'바른발 수선실'은 3만 원, '튼튼구두방'은 2만 5천 원이에요.")
    assert "중 뭐가" not in injector.rewrite(history, "뭐가 포함돼요?").standalone


def test_a_which_question_that_lists_its_own_options_is_left_alone(injector: ContextInjector) -> None:
    history = _turns("'바른발 수선실' 밑창 교체 얼마야?", "'바른발 수선실'은 3만 원, '튼튼구두방'은 2만 5천 원이에요.")
    said = "혹시 가죽 밑창이랑 고무 밑창 중에 어느 쪽이 비 오는 날 덜 미끄러워요?"
    assert injector.rewrite(history, said).standalone == said


def test_the_one_a_which_question_asks_for_refers_to_nothing(injector: ContextInjector) -> None:
    # "…는 건 어느 쪽이에요?" asks which one fits the clause; it points at no option of the reply
    history = _turns("'바른발 수선실' 밑창 교체 얼마야?", "'바른발 수선실'은 3만 원, '튼튼구두방'은 2만 5천 원이에요.")
    said = "혹시 가죽 밑창이랑 고무 밑창 중에 비 오는 날 덜 미끄러운 건 어느 쪽이에요?"
    assert injector.rewrite(history, said).standalone == said
