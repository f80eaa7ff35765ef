"""The OpenAI-compatible backend reads server-sent events as the SSE spec defines them, over a real socket.

Contract: only CR, LF and CR LF end a line, so deltas carrying U+0085, U+2028 and U+2029 unescaped arrive whole; a
UTF-8 sequence split across network writes is decoded once complete; comments are skipped. A stream that cannot be
read (not SSE, malformed JSON, an error object, a wrong shape, a connection cut mid-chunk) is `GenerationFailed`
(503 `generation_failed`), never another exception, and counts as a failure for the circuit breaker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.support.live import LiveServer
from generation import GenerationFailed, GenerationRequest
from generation.config import OpenAIBackendConfig
from generation.openai_backend import OpenAIBackend
from tests.support.scripted_lm import SEPARATED, build_app


@pytest.fixture(scope="module")
def scripted() -> Iterator[LiveServer]:
    with LiveServer(build_app()) as server:
        yield server


def backend_for(server: LiveServer, model: str) -> OpenAIBackend:
    return OpenAIBackend(OpenAIBackendConfig(base_url=f"{server.url}/v1", max_retries=0, breaker_failures=100),
                         model=model)


def ask(**kw: object) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": "안녕"}], temperature=0.0, **kw)  # type: ignore[arg-type]


async def test_every_unicode_line_separator_and_a_split_utf8_sequence_arrive_whole(scripted: LiveServer) -> None:
    backend = backend_for(scripted, "separators")
    done = await backend.generate(ask())
    assert done.text == "".join(SEPARATED)
    assert {"\u0085", "\u2028", "\u2029", "🙂"} <= set(done.text)
    assert (done.finish_reason, done.prompt_tokens, done.completion_tokens) == ("stop", 7, 9)
    deltas = [piece async for piece in backend.stream(ask())]
    assert deltas == SEPARATED


async def test_a_stop_sequence_after_a_line_separator_still_cuts_the_reply(scripted: LiveServer) -> None:
    done = await backend_for(scripted, "separators").generate(ask(stop=["단락"]))
    assert done.text == "첫 줄\u0085다음 줄 " and done.finish_reason == "stop"


@pytest.mark.parametrize("model", ["bad-json", "not-sse", "cut", "error-event", "wrong-shape"])
async def test_a_stream_that_cannot_be_read_is_generation_failed_and_counts_for_the_breaker(
        scripted: LiveServer, model: str) -> None:
    backend = backend_for(scripted, model)
    with pytest.raises(GenerationFailed, match="could not be read"):
        await backend.generate(ask())
    assert backend.breaker.last_error
    streamed = backend.stream(ask())
    with pytest.raises(GenerationFailed):
        async for _ in streamed:
            pass


async def test_repeated_unreadable_streams_open_the_circuit(scripted: LiveServer) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=f"{scripted.url}/v1", max_retries=0, breaker_failures=2),
                            model="bad-json")
    for _ in range(2):
        with pytest.raises(GenerationFailed):
            await backend.generate(ask())
    assert not backend.status()[0]
