"""The generation request of a turn that generates.

Contract: `generation_request(limits, defaults, retrieval, generator, req, selected, clock)` builds the
`GenerationRequest` from the persona's controls over the server's decoding `defaults` (`assistant.decoding`), the
request's overrides (capped by `limits.max_new_tokens`; seed, JSON format) and the client's prefill, the knowledge
the persona is allowed and the prompt trimmed to the model's context window, timed as the stage "prompt"; it raises
`Unavailable` (503 `generation_unavailable`) when the generator has no model loaded, and the personas package's
`PromptError` when no prompt fits. The request carries the prompt's private parts and the persona's canaries, so
every generated reply passes the prompt-leak rail.
"""

from __future__ import annotations

from assistant.decoding import decoding
from assistant.errors import Unavailable
from assistant.pipeline.stages import Selected, StageClock
from assistant.pipeline.types import TurnRequest
from assistant.settings import LimitsSettings
from generation import GenerationRequest, Generator
from generation.config import DecodingDefaults
from personas import private_parts, render_prompt
from retrieval import Retrieval

# Chat templates wrap each message in role markers (about 4-8 tokens in Llama-, Qwen- and EXAONE-style
# templates); budgeting the upper end keeps a trimmed prompt inside the context window.
TEMPLATE_TOKENS_PER_MESSAGE = 8


def generation_request(limits: LimitsSettings, defaults: DecodingDefaults, retrieval: Retrieval, generator: Generator,
                       req: TurnRequest, selected: Selected, clock: StageClock) -> GenerationRequest:
    ready, reason = generator.status()
    if not ready:
        raise Unavailable(
            f"this message needs generation, but no language model is loaded: {reason}",
            code="generation_unavailable",
        )
    persona, standalone = selected.loaded.persona, selected.rewrite.standalone
    controls, chosen = persona.generation, decoding(persona, defaults)
    max_new = min(req.overrides.max_new_tokens or chosen.max_new_tokens, limits.max_new_tokens)
    with clock.stage("prompt"):
        passages = retrieval.knowledge(standalone, persona.knowledge) if persona.knowledge else []
        messages = render_prompt(
            persona,
            [(t.role, t.text) for t in selected.loaded.history if not t.failed],
            utterance=req.message,
            standalone=standalone,
            knowledge=[(p.source, p.text) for p in passages],
            budget_tokens=max(generator.context_window - max_new, 64),
            count_tokens=generator.count_tokens,
            message_overhead_tokens=TEMPLATE_TOKENS_PER_MESSAGE,
            instructions=req.instructions or "",
        )
    return GenerationRequest(
        messages=messages,
        max_new_tokens=max_new,
        temperature=req.overrides.temperature if req.overrides.temperature is not None else chosen.temperature,
        top_p=req.overrides.top_p if req.overrides.top_p is not None else chosen.top_p,
        top_k=chosen.top_k,
        repetition_penalty=chosen.repetition_penalty,
        stop=list(req.overrides.stop if req.overrides.stop is not None else controls.stop),
        banned_phrases=list(controls.banned_phrases),
        max_reply_chars=persona.style.max_reply_chars,
        speech_level=persona.speech_level,
        refusal=persona.refusal,
        timeout_s=limits.request_timeout_s,
        seed=req.overrides.seed,
        response_format=req.overrides.response_format,
        prefill=req.prefill,
        private_texts=private_parts(persona, messages),  # the prompt-leak rail (generation.leak)
        canaries=persona.canaries,
    )
