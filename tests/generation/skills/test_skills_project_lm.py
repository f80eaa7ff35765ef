"""Skills over the project's own LM adapter (generation.langchain.ChatAssistantModel): a model that is not
loaded, and the tiny Llama whose 512-token window is shorter than the few-shot prompt, both end in the
fallback with the reason in the trace, never in an error."""

from __future__ import annotations

from generation.config import GenerationConfig
from generation.generator import Generator
from generation.langchain import ChatAssistantModel
from generation.skills import default_registry
from generation.transformers_backend import TransformersBackend


async def test_unloaded_model_falls_back_with_the_reason(kiwi, tmp_path):
    backend = TransformersBackend(GenerationConfig(model=str(tmp_path / "no-model"), device="cpu"))
    registry = default_registry(ChatAssistantModel(generator=Generator(backend), max_new_tokens=16), {})
    result = await registry.run("rewrite-null-query", {"query": "서울 날씨가 어떤지 알려줘"})
    assert result.trace["strategy"] == "fallback"
    assert result.trace["fallback_reason"].startswith("LM unavailable")
    assert result.output["rewrites"][0] == {"text": "서울 날씨", "strategy": "keyword"}


async def test_prompt_over_the_model_context_falls_back_with_the_reason(kiwi, tf_backend):
    model = ChatAssistantModel(generator=Generator(tf_backend), max_new_tokens=24, do_sample=False)
    registry = default_registry(model, {})
    reviews = [{"text": "음질이 좋아요", "rating": 9}, {"text": "배터리가 별로예요", "rating": 2}]
    result = await registry.run("summarize-reviews", {"reviews": reviews}, speech_level="해요체")
    assert result.trace["lm_calls"] == 1
    assert result.trace["lm"] == "assistant-transformers"
    assert result.trace["strategy"] == "fallback"
    assert result.trace["fallback_reason"].startswith("LM unavailable: InvalidGenerationRequest")
    assert "context window" in result.trace["fallback_reason"]
    assert result.output["sentiment"] == {"positive": 1, "neutral": 0, "negative": 1}
