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
