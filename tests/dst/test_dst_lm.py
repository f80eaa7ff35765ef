"""LM strategy: prompt shape, output validation, fallback to rules. The LM is a scripted test double of the
RewriteLM Protocol (a protocol boundary, not a product component)."""

from __future__ import annotations

import asyncio

import pytest

from dst import ContextInjector, DstConfig, HistoryTurn, RewriteLM
from dst.analysis import Analyzer
from dst.lm import build_messages, clean_output

U, A = "user", "assistant"
HISTORY = [HistoryTurn(U, "내일 서울 날씨 어때?"), HistoryTurn(A, "내일 서울은 맑아요.")]


class ScriptedRewriteLM:
    """Test double: returns a fixed reply (or raises / stalls) and records what it was asked."""

    def __init__(self, reply: str = "", *, error: Exception | None = None, delay_s: float = 0.0) -> None:
        self.reply, self.error, self.delay_s = reply, error, delay_s
        self.calls: list[list[dict[str, str]]] = []

    async def complete(self, messages: list[dict[str, str]], *, max_new_tokens: int) -> str:
        self.calls.append(messages)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        return self.reply


def _injector(analyzer: Analyzer, strategy: str, lm: ScriptedRewriteLM) -> ContextInjector:
    return ContextInjector(DstConfig(strategy=strategy, lm_timeout_s=0.2), lm=lm, analyzer=analyzer)


def test_test_double_satisfies_the_protocol() -> None:
    assert isinstance(ScriptedRewriteLM(), RewriteLM)


def test_prompt_has_instructions_examples_and_the_conversation() -> None:
    messages = build_messages(HISTORY, "부산은?")
    assert messages[0]["role"] == "system" and "답하지" in messages[0]["content"]
    assert [m["role"] for m in messages[1:-1]] == ["user", "assistant"] * ((len(messages) - 2) // 2)
    assert "내일 서울 날씨 어때?" in messages[-1]["content"] and messages[-1]["content"].count("부산은?") == 1


def test_clean_output_takes_the_first_line_without_label_or_quotes() -> None:
    assert clean_output('\n재작성: "내일 부산 날씨 어때?"\n설명...') == "내일 부산 날씨 어때?"


async def test_lm_strategy_uses_a_valid_lm_rewrite(analyzer: Analyzer) -> None:
    lm = ScriptedRewriteLM("내일 부산 날씨는 어때?")
    rw = await _injector(analyzer, "lm", lm).arewrite(HISTORY, "부산은?")
    assert rw.standalone == "내일 부산 날씨는 어때?" and rw.strategy == "lm" and len(lm.calls) == 1


@pytest.mark.parametrize(
    ("reply", "error", "delay"),
    [
        ("", None, 0.0),  # empty
        ("What about Busan tomorrow?", None, 0.0),  # not Korean
        ("내일 부산은 흐리고 최고 기온 15도예요.", None, 0.0),  # an answer: 흐리, 15, 기온 are new content
        ("내일 부산 날씨 어때? " * 60, None, 0.0),  # over the bound
        ("", RuntimeError("backend down"), 0.0),  # backend error
        ("내일 부산 날씨 어때?", None, 1.0),  # slower than lm_timeout_s
    ],
)
async def test_invalid_or_failing_lm_output_falls_back_to_the_rule_result(
    analyzer: Analyzer, reply: str, error: Exception | None, delay: float
) -> None:
    lm = ScriptedRewriteLM(reply, error=error, delay_s=delay)
    rw = await _injector(analyzer, "lm", lm).arewrite(HISTORY, "부산은?")
    assert rw.standalone == "내일 부산 날씨 어때?" and rw.strategy == "rules(lm-fallback)"
    assert any(r.kind == "fallback" for r in rw.resolutions)


async def test_rules_plus_lm_skips_the_lm_when_rules_are_confident(analyzer: Analyzer) -> None:
    lm = ScriptedRewriteLM("아무거나")
    rw = await _injector(analyzer, "rules+lm", lm).arewrite(HISTORY, "부산은?")
    assert lm.calls == [] and rw.strategy == "rules" and rw.standalone == "내일 부산 날씨 어때?"


async def test_rules_plus_lm_asks_the_lm_when_rules_are_unsure(analyzer: Analyzer) -> None:
    history = [HistoryTurn(U, "성수동 팝업스토어 알려줘"), HistoryTurn(A, "이번 주 성수동에 팝업스토어가 많아요.")]
    lm = ScriptedRewriteLM("성수동 팝업스토어 몇 시에 열어?")
    rw = await _injector(analyzer, "rules+lm", lm).arewrite(history, "여기 몇 시에 열어?")
    assert len(lm.calls) == 1 and rw.strategy == "lm" and rw.standalone == "성수동 팝업스토어 몇 시에 열어?"


async def test_rules_plus_lm_without_an_lm_keeps_the_rule_result(analyzer: Analyzer) -> None:
    rw = await ContextInjector(DstConfig(strategy="rules+lm"), analyzer=analyzer).arewrite([], "거기 몇 시에 열어?")
    assert rw.standalone == "거기 몇 시에 열어?" and not rw.confident
