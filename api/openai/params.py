"""Which OpenAI request parameters this server honours, and the 400 for every other one: nothing is dropped silently.

Contract: `refuse_unsupported(body, fields, capabilities)` raises `BadRequest` (400, type `invalid_request_error`,
code `unsupported_parameter`, `param` the field) for
- a field OpenAI does not define for the route, unless its value is null (OpenAI itself refuses unknown fields);
- a field OpenAI defines that this server does not implement, unless it has its no-op value (`NEUTRAL`): a
  frequency penalty of 0, an empty `logit_bias`, `n: 1`, `logprobs: false`, `tool_choice: "none"` … change nothing,
  so accepting them drops nothing (SillyTavern sends `presence_penalty: 0`, `frequency_penalty: 0`, `logit_bias: {}`);
- `tools` (with any `tool_choice` but "none"): no chat template this server renders parses tool calls yet, so a
  request that needs them is refused rather than answered as if no tool existed;
- a prefill (last message from the assistant) where the LM backend cannot continue one (`capabilities`).
The fields honoured are the ones the schema declares (`api.openai.schemas`). README, "OpenAI-compatible surface",
lists both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assistant.errors import BadRequest

# Defined by OpenAI, not implemented here: the values that change nothing (a tuple: any of them).
NEUTRAL: dict[str, tuple[Any, ...]] = {
    "frequency_penalty": (0, 0.0),
    "presence_penalty": (0, 0.0),
    "logit_bias": ({},),
    "logprobs": (False,),
    "top_logprobs": (0,),
    "n": (1,),
    "best_of": (1,),
    "echo": (False,),
    "suffix": ("",),
    "tool_choice": ("none", "auto"),
    "parallel_tool_calls": (True, False),
    "function_call": ("none", "auto"),
    "service_tier": ("auto", "default"),
    "modalities": (["text"],),
    "store": (True,),
    "tools": ([],),
    "functions": ([],),
}
# Defined by OpenAI, refused whatever their value (they ask for something this server does not do).
UNIMPLEMENTED = frozenset({"audio", "prediction", "reasoning_effort", "verbosity", "web_search_options"})
# Identifiers and hints that change no reply: recorded in the turn's trace, never refused.
RECORDED = frozenset({"metadata", "prompt_cache_key", "safety_identifier"})


def unsupported(param: str, why: str) -> BadRequest:
    return BadRequest(f"{param}: {why}", param=param, code="unsupported_parameter")


def refuse_unsupported(body: Mapping[str, Any], declared: Iterable[str], *, prefill: bool = False,
                       supports_prefill: bool = True) -> None:
    declared = set(declared)
    for name, value in body.items():
        if name in declared or name in RECORDED or value is None:
            continue
        if name in UNIMPLEMENTED:
            raise unsupported(name, "this server does not implement it")
        if name in NEUTRAL:
            if value not in NEUTRAL[name]:
                raise unsupported(name, f"only {', '.join(map(repr, NEUTRAL[name]))} is supported here")
            continue
        raise unsupported(name, "not a parameter of this endpoint")
    tools = body.get("tools") or body.get("functions")
    if tools:
        name = "tools" if body.get("tools") else "functions"
        raise unsupported(name, "the served model's chat template has no tool-call format this server parses")
    if prefill and not supports_prefill:
        raise unsupported("messages", "the last message is the assistant's (a prefill), and the loaded LM backend "
                                      "cannot continue a reply")
