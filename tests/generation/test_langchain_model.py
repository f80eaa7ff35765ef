"""The langchain-core chat model over the controlled Generator: invoke, ainvoke, stream, astream, and
composition as `prompt | model | parser`."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationConfig, Generator
from generation.config import DecodingDefaults
from generation.langchain import ChatAssistantModel, to_chat_messages
from generation.speech_level import SpeechLevelControl
from generation.transformers_backend import TransformersBackend


@pytest.fixture
def model(tf_backend: TransformersBackend, speech: SpeechLevelControl) -> ChatAssistantModel:
    return ChatAssistantModel(generator=Generator(tf_backend, GenerationConfig(speech_regenerations=0), speech=speech),
                              temperature=0.0, max_new_tokens=60)


def test_decoding_defaults_are_the_configs(model: ChatAssistantModel) -> None:
    plain = ChatAssistantModel(generator=model.generator)
    for name, value in DecodingDefaults().model_dump().items():
        assert getattr(plain, name) == value, name


def test_messages_map_onto_chat_roles() -> None:
    msgs = to_chat_messages([SystemMessage("규칙"), HumanMessage("질문"), AIMessage("답")])
    assert msgs == [{"role": "system", "content": "규칙"}, {"role": "user", "content": "질문"},
                    {"role": "assistant", "content": "답"}]
    with pytest.raises(ValueError, match="ToolMessage"):
        to_chat_messages([ToolMessage("x", tool_call_id="1")])


def test_prompt_model_parser_chain_runs_sync(model: ChatAssistantModel) -> None:
    chain = ChatPromptTemplate.from_messages([("human", "{topic} 알려줘")]) | model | StrOutputParser()
    assert chain.invoke({"topic": "날씨"}) == SCRIPT["날씨 알려줘"]


async def test_chain_runs_async_with_bound_controls(model: ChatAssistantModel, speech: SpeechLevelControl) -> None:
    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | model.bind(speech_level="합쇼체") | StrOutputParser()
    text = await chain.ainvoke({"q": "기분 어때?"})
    assert speech.violations(text, "합쇼체") == [] and text != SCRIPT["기분 어때?"]


def test_sync_stream_yields_chunks_that_join_to_the_reply(model: ChatAssistantModel) -> None:
    chunks = list(model.stream([HumanMessage("자기소개 해 줘")]))
    assert len(chunks) > 1
    assert "".join(c.content for c in chunks) == SCRIPT["자기소개 해 줘"]


async def test_async_stream_and_usage_metadata(model: ChatAssistantModel) -> None:
    chunks = [c async for c in model.astream([HumanMessage("자기소개 해 줘")])]
    assert "".join(c.content for c in chunks) == SCRIPT["자기소개 해 줘"]
    message = await model.ainvoke([HumanMessage("날씨 알려줘")])
    assert message.usage_metadata["output_tokens"] > 0
    assert message.response_metadata["finish_reason"] == "stop"


async def test_sync_invoke_works_inside_a_running_event_loop(model: ChatAssistantModel) -> None:
    assert model.invoke([HumanMessage("날씨 알려줘")]).content == SCRIPT["날씨 알려줘"]
