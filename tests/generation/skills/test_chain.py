"""The LM path of the skill mechanism: few-shot chain -> typed parser, and fallback on unusable output.

The chat model here is langchain-core's GenericFakeChatModel, a protocol-boundary double that replays fixed
messages: it checks the chain mechanics (prompt, parsing, validation, map-reduce, fallback), never the
shipped fallback logic, which the other tests run for real.
"""

from __future__ import annotations

import json

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from generation.skills import default_registry
from generation.skills.chain import build_chain, load_prompt
from generation.skills.rewrite import LmRewrites
from generation.skills.settings import SkillsSettings


def replaying(*contents: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=c) for c in contents]))


def test_prompt_file_has_few_shot_examples_and_format_instructions():
    prompt = load_prompt("rewrite-null-query")
    assert prompt.examples
    chain = build_chain(prompt, replaying("{}"), LmRewrites)
    rendered = chain.first.invoke({"query": "오늘 날씨 어때", "k": 3, "speech_level": "none"}).to_messages()
    assert rendered[0].type == "system" and "rewrites" in rendered[0].content
    assert [m.type for m in rendered[1:-1]] == ["human", "ai"] * len(prompt.examples)
    assert "오늘 날씨 어때" in rendered[-1].content


async def test_valid_lm_output_adds_paraphrases_after_rule_rewrites(kiwi):
    model = replaying(json.dumps({"rewrites": ["서울 날씨 예보", "서울 기상 정보"]}, ensure_ascii=False))
    registry = default_registry(model, {})
    result = await registry.run("rewrite-null-query", {"query": "서울 날씨가 어떤지 알려줘"})
    strategies = [r["strategy"] for r in result.output["rewrites"]]
    assert strategies[0] == "keyword"
    assert "lm_paraphrase" in strategies
    assert {"서울 날씨 예보", "서울 기상 정보"} <= {r["text"] for r in result.output["rewrites"]}
    assert result.trace["strategy"] == "lm" and result.trace["lm"] == "generic-fake-chat-model"
    assert "fallback_reason" not in result.trace


async def test_malformed_lm_output_falls_back_with_reason(kiwi):
    registry = default_registry(replaying("서울 날씨 예보입니다"), {})
    result = await registry.run("rewrite-null-query", {"query": "서울 날씨가 어떤지 알려줘"})
    assert result.trace["strategy"] == "fallback"
    assert result.trace["fallback_reason"].startswith("LM output invalid")
    assert result.output["rewrites"][0]["strategy"] == "keyword"


async def test_lm_output_breaking_the_schema_falls_back(kiwi):
    registry = default_registry(replaying('{"rewrites": []}'), {})
    result = await registry.run("rewrite-null-query", {"query": "서울 날씨가 어떤지 알려줘"})
    assert result.trace["fallback_reason"].startswith("LM output invalid")
    assert all(r["strategy"] != "lm_paraphrase" for r in result.output["rewrites"])


async def test_summary_is_map_reduced_over_chunks_in_the_requested_level(kiwi):
    settings = SkillsSettings.model_validate({"reviews": {"chunk_chars": 200}})
    reviews = [{"text": f"{i}번째 리뷰: 음질이 좋고 배터리가 오래가요", "rating": 9} for i in range(12)]
    model = replaying(*[json.dumps({"summary": f"요약 {i}번은 만족입니다."}, ensure_ascii=False) for i in range(20)])
    registry = default_registry(model, {}, settings=settings)
    result = await registry.run("summarize-reviews", {"reviews": reviews}, speech_level="반말")
    chunks = result.trace["chunks"]
    assert chunks > 1 and result.trace["lm_calls"] == chunks + 1
    assert result.trace["strategy"] == "lm map-reduce + extractive"
    # the answer after the `chunks` map calls is the reduce step's, repaired from 합쇼체 into 반말
    assert result.output["summary"].startswith(f"요약 {chunks}번은 만족")
    assert not result.output["summary"].endswith("니다.")
    assert result.output["sentiment"] == {"positive": 12, "neutral": 0, "negative": 0}


async def test_output_filter_applies_to_lm_text(kiwi):
    model = replaying(json.dumps({"summary": "연락처 010-1234-5678 로 문의하세요."}, ensure_ascii=False))
    registry = default_registry(model, {}, text_filter=lambda t: t.replace("010-1234-5678", "[전화번호]"))
    result = await registry.run("summarize-reviews", {"reviews": [{"text": "좋아요 추천해요", "rating": 10}]})
    assert "[전화번호]" in result.output["summary"] and "010" not in result.output["summary"]
