"""The turn pipeline: one user message in, one persisted, explained reply out (`TurnPipeline`).

Modules: `pipeline` (the stages in order), `stages` (what each stage hands the next, frozen, and the turn's clock),
`types` (the request and the result), `request` (the generation request and a streamed turn's token counts), `events`
(a turn streamed as events from its own task), `failures` (the turn's deadline and lock, and the failed turn stored
when the reply fails).
"""

from assistant.pipeline.pipeline import TurnPipeline
from assistant.pipeline.request import TEMPLATE_TOKENS_PER_MESSAGE
from assistant.pipeline.types import GenerationOverrides, TurnRequest, TurnResult, result_to_dict

__all__ = [
    "TEMPLATE_TOKENS_PER_MESSAGE", "GenerationOverrides", "TurnPipeline", "TurnRequest", "TurnResult",
    "result_to_dict",
]
