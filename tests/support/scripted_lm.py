"""A scripted OpenAI-compatible LM server for tests: `POST /v1/chat/completions` answers with exact bytes.

Run it with `benchmarks.support.live.LiveServer(build_app())` (uvicorn on 127.0.0.1, a free port). The `model`
of the request chooses the script:
  separators   deltas carrying U+0085, U+2028 and U+2029 unescaped (valid JSON), sent in pieces split inside UTF-8
               sequences (a 3-byte syllable, a 4-byte emoji) and inside a `data:` line, CR LF line ends, a comment
  bad-json     a `data:` line that is not JSON
  not-sse      a 200 with a JSON body (`application/json`), not an event stream
  cut          half a chunk, then the connection closes without ending the body
  error-event  an error object inside the stream, as vLLM sends when decoding fails
  wrong-shape  a chunk whose `choices` is a string
  drip-<n>     n deltas, one every 0.1 s (a long generation)
  leak         obeys every prompt injection: echoes its whole prompt (every message, the system message first) in
               deltas of 16 characters, as an LM that prints its system prompt when asked to
  anything else  echoes the last user message in three deltas, unless that message names a script between
               guillemets («cut», «drip-30», …): then that script answers (a server process's LM has one model name)
`SEPARATED` is the text the `separators` script carries. Every call's model is appended to `calls`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

_MARKER = re.compile(r"«([a-z0-9-]+)»")
SEPARATED = ["첫 줄\u0085다음 줄", " 단락\u2028구분", " 문단\u2029끝 🙂", " 좋아요."]
EVENT_STREAM = "text/event-stream"


def chunk(content: str | None = None, finish: str | None = None, usage: dict[str, int] | None = None,
          end: str = "\n\n") -> bytes:
    body: dict[str, Any] = {"object": "chat.completion.chunk",
                            "choices": [{"index": 0, "delta": {"content": content} if content is not None else {},
                                         "finish_reason": finish}]}
    if usage is not None:
        body |= {"choices": [], "usage": usage}
    return f"data: {json.dumps(body, ensure_ascii=False)}{end}".encode()


def separators_script() -> list[bytes]:
    raw = b": keep-alive\r\n\r\n" + b"".join(chunk(text, end="\r\n\r\n") for text in SEPARATED)
    raw += chunk(finish="stop") + chunk(usage={"prompt_tokens": 7, "completion_tokens": 9}) + b"data: [DONE]\n\n"
    cuts = sorted({raw.index("줄".encode()) + 1, raw.index("🙂".encode()) + 2, raw.index(b"data:", 30) + 3,
                   raw.index("\u2028".encode()) + 1})
    return [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]


SCRIPTS: dict[str, list[bytes]] = {
    "bad-json": [chunk("안녕"), b'data: {"choices": [\n\n', b"data: [DONE]\n\n"],
    "error-event": [chunk("안녕"), b'data: {"error": {"message": "CUDA out of memory", "code": 500}}\n\n'],
    "wrong-shape": [chunk("안녕"), b'data: {"choices": "oops"}\n\n', b"data: [DONE]\n\n"],
}


class Cut(Exception):
    """Raised inside a streamed body: uvicorn drops the connection without ending the chunked body."""


def build_app(calls: list[str] | None = None) -> FastAPI:
    app = FastAPI()
    seen = calls if calls is not None else []

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Response:
        body = await request.json()
        last = next((m.get("content") for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
        named = _MARKER.search(str(last))
        model = named.group(1) if named else str(body.get("model", ""))
        seen.append(model)
        if model == "not-sse":
            return JSONResponse({"choices": [{"message": {"content": "안녕"}}]})
        if model == "separators":
            return StreamingResponse(_paced(separators_script()), media_type=EVENT_STREAM)
        if model in SCRIPTS:
            return StreamingResponse(_paced(SCRIPTS[model]), media_type=EVENT_STREAM)
        if model == "cut":
            return StreamingResponse(_cut(), media_type=EVENT_STREAM)
        if model == "leak":
            prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
            pieces = [prompt[i:i + 16] for i in range(0, len(prompt), 16)]
            return StreamingResponse(_paced([*(chunk(p) for p in pieces), chunk(finish="stop"),
                                             b"data: [DONE]\n\n"], pause=0.0), media_type=EVENT_STREAM)
        if model.startswith("drip-"):
            return StreamingResponse(_drip(int(model.split("-", 1)[1])), media_type=EVENT_STREAM)
        words = ["응답:", " ", str(last)]
        return StreamingResponse(_paced([*(chunk(w) for w in words), chunk(finish="stop"), b"data: [DONE]\n\n"]),
                                 media_type=EVENT_STREAM)

    return app


async def _paced(pieces: list[bytes], pause: float = 0.005) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece
        await asyncio.sleep(pause)  # separate network writes, so a split stays split


async def _cut() -> AsyncIterator[bytes]:
    yield chunk("안녕")
    yield chunk("하세요")[:20]
    await asyncio.sleep(0.01)
    raise Cut("connection dropped mid-chunk")


async def _drip(count: int) -> AsyncIterator[bytes]:
    for i in range(count):
        yield chunk(f"토큰{i} ")
        await asyncio.sleep(0.1)
    yield chunk(finish="stop") + b"data: [DONE]\n\n"
