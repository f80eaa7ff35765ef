"""The official `openai` client and LangChain's `ChatOpenAI` against a real uvicorn whose LM is the tiny model:
token-level deltas, the same finish reason and usage streamed or not, refusals as OpenAI's 400, client-held history
with an edit and a swipe, and an assistant prefill."""

from __future__ import annotations

import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from assistant.services import Services
from benchmarks.support.live import GENERATE


def _client(url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="unused-on-loopback", max_retries=0)


async def _stream(client: openai.AsyncOpenAI, **kw: object) -> tuple[list[str], str | None, object, str]:
    stream = await client.chat.completions.create(model="assistant", stream=True,
                                                  stream_options={"include_usage": True}, **kw)  # type: ignore[call-overload]
    deltas, finish, usage = [], None, None
    async for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            if choice.delta.content:
                deltas.append(choice.delta.content)
            finish = choice.finish_reason or finish
    return deltas, finish, usage, stream.response.headers["x-conversation-id"]


@pytest.mark.parametrize("max_tokens", [5, 48])
async def test_streamed_deltas_are_token_level_and_finish_and_usage_match_the_blocking_reply(
        tiny_live: tuple[str, Services], max_tokens: int) -> None:
    url, services = tiny_live
    client = _client(url)
    messages = [{"role": "user", "content": GENERATE[0]}]
    blocking = await client.chat.completions.create(model="assistant", messages=messages,  # type: ignore[arg-type]
                                                    max_tokens=max_tokens, temperature=0)
    deltas, finish, usage, cid = await _stream(client, messages=messages, max_tokens=max_tokens, temperature=0)
    assert finish == blocking.choices[0].finish_reason
    assert usage is not None and blocking.usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (blocking.usage.prompt_tokens,
                                                              blocking.usage.completion_tokens)
    if max_tokens == 5:
        assert finish == "length" and usage.completion_tokens == 5
    else:
        assert len(deltas) >= 3, deltas  # eojeol by eojeol, not the reply in one piece
    turns = await services.store.turns(cid)
    assert "".join(deltas) == turns[-1].text


async def test_every_unsupported_parameter_is_a_400_naming_it(tiny_live: tuple[str, Services]) -> None:
    client = _client(tiny_live[0])
    messages = [{"role": "user", "content": "안녕하세요"}]
    cases = {"n": {"n": 2}, "presence_penalty": {"presence_penalty": 0.5}, "logprobs": {"logprobs": True},
             "tools": {"tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}]},
             "reasoning_effort": {"reasoning_effort": "low"}, "top_k": {"extra_body": {"top_k": 5}}}
    for param, kw in cases.items():
        with pytest.raises(openai.BadRequestError) as refused:
            await client.chat.completions.create(model="assistant", messages=messages, **kw)  # type: ignore[call-overload]
        error = refused.value.body
        assert refused.value.status_code == 400 and isinstance(error, dict)
        assert (error["param"], error["code"], error["type"]) == (param, "unsupported_parameter",
                                                                  "invalid_request_error"), error
    ok = await client.chat.completions.create(model="assistant", messages=messages, n=1, presence_penalty=0,
                                              frequency_penalty=0, logit_bias={})  # type: ignore[arg-type]
    assert ok.choices[0].message.content


async def test_client_held_history_follows_an_edit_and_keeps_every_swipe(tiny_live: tuple[str, Services]) -> None:
    url, services = tiny_live
    client = _client(url)
    history = [{"role": "user", "content": "토요일에 강남역에서 만나자"}, {"role": "assistant", "content": "좋아요."},
               {"role": "user", "content": "거기 날씨 어때?"}]
    first = await client.chat.completions.with_raw_response.create(model="assistant", messages=history)
    swipe = await client.chat.completions.with_raw_response.create(model="assistant", messages=history,
                                                                   temperature=1.5, seed=7)
    cid = first.headers["x-conversation-id"]
    assert swipe.headers["x-conversation-id"] == cid
    turns = await services.store.turns(cid)
    assert [t.role for t in turns] == ["user", "assistant", "assistant"]  # the message once, both replies kept
    assert first.parse().assistant["rewrite"]["standalone"] != "거기 날씨 어때?"  # type: ignore[attr-defined]
    edited = [{**history[0], "content": "일요일에 홍대에서 만나자"}, *history[1:]]
    other = await client.chat.completions.with_raw_response.create(model="assistant", messages=edited)
    assert other.headers["x-conversation-id"] != cid
    assert "홍대" in other.parse().assistant["rewrite"]["standalone"]  # type: ignore[attr-defined]
    assert len(await services.store.turns(cid)) == 3  # the old branch is as it was


async def test_the_same_seed_gives_the_same_sampled_reply(tiny_live: tuple[str, Services]) -> None:
    client = _client(tiny_live[0])
    messages = [{"role": "user", "content": GENERATE[1]}]
    replies = [(await client.chat.completions.create(model="assistant", messages=messages, temperature=1.5,  # type: ignore[arg-type]
                                                     seed=7, max_tokens=24)).choices[0].message.content
               for _ in range(2)]
    assert replies[0] == replies[1]


async def test_an_assistant_prefill_is_continued(tiny_live: tuple[str, Services]) -> None:
    url, services = tiny_live
    messages = [{"role": "user", "content": GENERATE[0]}, {"role": "assistant", "content": "불확정성 원리는"}]
    raw = await _client(url).chat.completions.with_raw_response.create(model="assistant", messages=messages,  # type: ignore[arg-type]
                                                                       max_tokens=16)
    completion = raw.parse()
    continuation = completion.choices[0].message.content or ""
    stored = (await services.store.turns(raw.headers["x-conversation-id"]))[-1]
    assert stored.text == "불확정성 원리는" + continuation and stored.source == "generate"
    assert completion.usage is not None and completion.usage.completion_tokens > 0


def test_langchain_chat_openai_streams_token_level_chunks_with_exact_usage(tiny_live: tuple[str, Services]) -> None:
    url, _ = tiny_live
    messages = [SystemMessage("짧게 답해."), HumanMessage(GENERATE[0])]

    def model(max_tokens: int) -> ChatOpenAI:
        return ChatOpenAI(base_url=f"{url}/v1", api_key="unused", model="assistant", temperature=0,
                          max_tokens=max_tokens, max_retries=0, stream_usage=True)

    chunks = list(model(48).stream(messages))
    assert len([c for c in chunks if c.content]) >= 3
    cut = list(model(5).stream(messages))
    usage = next(c.usage_metadata for c in reversed(cut) if c.usage_metadata)
    finish = next(c.response_metadata["finish_reason"] for c in cut if c.response_metadata.get("finish_reason"))
    blocking = model(5).invoke(messages)
    assert isinstance(blocking, AIMessage) and blocking.usage_metadata is not None
    assert usage["output_tokens"] == blocking.usage_metadata["output_tokens"] == 5
    assert finish == blocking.response_metadata["finish_reason"] == "length"


async def test_text_completion_continues_a_raw_prompt_streamed_or_not(tiny_live: tuple[str, Services]) -> None:
    client = _client(tiny_live[0])
    prompt = "<|user|>\n날씨 알려줘<|end|>\n<|assistant|>\n"  # a text-completion frontend formats its own prompt
    blocking = await client.completions.create(model="assistant", prompt=prompt, max_tokens=5, temperature=0)
    assert blocking.object == "text_completion" and blocking.choices[0].finish_reason == "length"
    assert blocking.usage is not None and blocking.usage.completion_tokens == 5
    stream = await client.completions.create(model="assistant", prompt=prompt, max_tokens=5, temperature=0,
                                             stream=True, stream_options={"include_usage": True})
    texts, usage = [], None
    async for chunk in stream:
        usage = chunk.usage or usage
        texts += [c.text for c in chunk.choices if c.text]
    assert "".join(texts) == blocking.choices[0].text
    assert usage is not None and usage.completion_tokens == 5
    with pytest.raises(openai.BadRequestError) as refused:
        await client.completions.create(model="assistant", prompt=prompt, echo=True)
    assert isinstance(refused.value.body, dict) and refused.value.body["param"] == "echo"
