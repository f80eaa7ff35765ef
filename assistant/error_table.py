"""The one translation of leaf exceptions into `assistant.errors`: one row per leaf exception class.

Contract: `to_assistant_error(exc)` returns the `AssistantError` of the first row of `TABLE` whose class `exc` is
an instance of; rows run from the most specific class to its base, so no row is shadowed by an earlier one. An
exception that no row names is a `TypeError` (a caller bug: only leaf exceptions come here). The status, `code`
and `param` of every row are the HTTP contract of that failure (README, "Every error has one body"); tests pin
them. `LEAF_ERROR_BASES` are the classes no other row derives from: the API registers its one leaf handler for
them and the pipeline translates them at the turn's boundary, so nothing else catches a leaf exception to map it.
The leaf packages never import this module; a new leaf exception gets a row here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.errors import (
    AssistantError,
    Busy,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Timeout,
    Unavailable,
)
from dst import DstInputError
from generation import (
    GenerationBusy,
    GenerationError,
    GenerationFailed,
    GenerationTimeout,
    InvalidGenerationRequest,
)
from generation.skills import SkillBackendError, SkillInputError, SkillNotFound, SkillUnavailable
from generation.structured import ResponseFormatFailed
from personas import (
    PersonaConflict,
    PersonaError,
    PersonaNotFound,
    PersonaTooLarge,
    PromptBudgetError,
    PromptError,
)
from retrieval import (
    DuplicateRecord,
    IndexUnusable,
    InvalidRecord,
    RetrievalError,
    UnknownRecord,
    UnknownResponseSet,
)

Translate = Callable[[Any], AssistantError]


def _prompt_budget(exc: PromptBudgetError) -> AssistantError:
    if exc.system_tokens > exc.budget_tokens:  # the persona alone does not fit: a deployment problem
        return Unavailable(str(exc), code="persona_exceeds_context")
    return PayloadTooLarge(str(exc), param="message", code="message_exceeds_context")


def _skill_input(exc: SkillInputError) -> AssistantError:
    # A skill names fields of its payload, which arrives as the request body's `input`.
    param = f"input.{exc.param}" if exc.param and exc.param != "speech_level" else exc.param
    error = PayloadTooLarge if exc.code == "payload_too_large" else InvalidInput
    return error(exc.message, param=param, code=exc.code)


TABLE: tuple[tuple[type[Exception], Translate], ...] = (
    # dst
    (DstInputError, lambda e: InvalidInput(str(e), param="state", code="invalid_context")),
    # retrieval
    (InvalidRecord, lambda e: InvalidInput(str(e), code="invalid_response_record")),
    (UnknownResponseSet, lambda e: NotFound(str(e), param="set", code="response_set_not_found")),
    (UnknownRecord, lambda e: NotFound(str(e), param="id", code="response_not_found")),
    (DuplicateRecord, lambda e: Conflict(str(e), param="id", code="response_id_conflict")),
    (IndexUnusable, lambda e: Unavailable(str(e), code="index_unusable")),
    (RetrievalError, lambda e: AssistantError(str(e))),
    # personas
    (PersonaNotFound, lambda e: NotFound(str(e), param="persona", code="persona_not_found")),
    (PersonaTooLarge, lambda e: PayloadTooLarge(e.describe(), param=e.field, code="persona_too_large")),
    (PersonaError, lambda e: InvalidInput(e.describe(), param=e.field, code="invalid_persona")),
    (PersonaConflict, lambda e: Conflict(str(e), code="persona_conflict")),
    (PromptBudgetError, _prompt_budget),
    (PromptError, lambda e: InvalidInput(str(e), code="invalid_prompt_input")),
    # generation (GenerationUnavailable and UnsupportedModel are GenerationErrors)
    (InvalidGenerationRequest, lambda e: InvalidInput(str(e), param=e.param, code="invalid_generation_request")),
    (GenerationBusy, lambda e: Busy(str(e), retry_after=e.retry_after, code="generation_busy")),
    (GenerationTimeout, lambda e: Timeout(str(e), code="generation_timeout")),
    (GenerationFailed, lambda e: Unavailable(str(e), code="generation_failed")),
    (ResponseFormatFailed, lambda e: Unavailable(str(e), code="response_format_failed")),
    (GenerationError, lambda e: Unavailable(str(e), code="generation_unavailable")),
    # generation.skills
    (SkillNotFound, lambda e: NotFound(str(e), param="name", code="unknown_skill")),
    (SkillInputError, _skill_input),
    (SkillBackendError, lambda e: Unavailable(str(e), param="input.search", code="search_backend_failed")),
    (SkillUnavailable, lambda e: Unavailable(str(e), code="skills_disabled")),
)

LEAF_ERRORS: tuple[type[Exception], ...] = tuple(leaf for leaf, _ in TABLE)
LEAF_ERROR_BASES: tuple[type[Exception], ...] = tuple(
    leaf for leaf in LEAF_ERRORS if not any(other is not leaf and issubclass(leaf, other) for other in LEAF_ERRORS)
)


def to_assistant_error(exc: BaseException) -> AssistantError:
    """The HTTP-mapped error for a leaf package's exception (see the module contract)."""
    for leaf, translate in TABLE:
        if isinstance(exc, leaf):
            return translate(exc)
    raise TypeError(f"not a leaf package's exception: {type(exc).__name__}")
