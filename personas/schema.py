"""The persona schema: what a persona file may contain, validated with pydantic.

Contract: a `Persona` is immutable and already valid (speech level known, example dialogues alternate
user/assistant turns starting with the user, limits respected). Unknown keys are refused so that a typo in a
file is reported instead of silently ignored; the only open-ended parts are `extensions` and `card_fields`,
which carry Character Card data this product does not interpret, verbatim, so that export loses nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from korean.speech import SpeechLevel
from personas.macros import expand_macros

# A persona id is also its file name (`<id>.yaml`): lowercase only, so ids cannot differ by case alone.
PERSONA_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"

PersonaId = Annotated[str, StringConstraints(pattern=PERSONA_ID_PATTERN)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(max_length=32000)]
# A canary: a string the persona's private prompt may carry and no reply may (the prompt-leak rail); long enough that
# no ordinary reply carries it by chance.
Canary = Annotated[str, StringConstraints(min_length=6, max_length=200)]


class Turn(BaseModel):
    """One utterance of an example dialogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["user", "assistant"]
    text: Line


def _alternating(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
    for index, turn in enumerate(turns):
        expected = "user" if index % 2 == 0 else "assistant"
        if turn.role != expected:
            raise ValueError(
                f"turn {index + 1} has role '{turn.role}' but '{expected}' was expected: an example dialogue "
                "alternates user and assistant turns, starting with the user"
            )
    if len(turns) % 2:
        raise ValueError("an example dialogue must end with an assistant turn (the reply it demonstrates)")
    return turns


Dialogue = Annotated[tuple[Turn, ...], Field(min_length=2, max_length=40), AfterValidator(_alternating)]


class Style(BaseModel):
    """Surface rules for replies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_reply_chars: int = Field(300, ge=20, le=8000)
    emoji: bool = False
    forbidden_topics: tuple[ShortText, ...] = Field((), max_length=50)


class GenerationConfig(BaseModel):
    """Decoding settings this persona asks of the generation backend; a value left out (None) is the server's
    `generation.defaults`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_new_tokens: int | None = Field(None, ge=1, le=8192)
    stop: tuple[ShortText, ...] = Field((), max_length=16)
    banned_phrases: tuple[ShortText, ...] = Field((), max_length=64)


class BookEntry(BaseModel):
    """A character-book (lorebook) entry; unknown card keys are kept as extras."""

    model_config = ConfigDict(extra="allow", frozen=True)

    keys: tuple[str, ...] = ()
    content: str = Field("", max_length=8000)
    extensions: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    insertion_order: int = 0
    case_sensitive: bool | None = None
    name: str | None = None
    priority: int | None = None
    id: int | str | None = None
    comment: str | None = None
    selective: bool | None = None
    secondary_keys: tuple[str, ...] | None = None
    constant: bool | None = None
    position: str | None = None


class CharacterBook(BaseModel):
    """Knowledge entries injected when their keys appear in recent turns."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str | None = None
    description: str | None = None
    scan_depth: int | None = Field(None, ge=0, le=1000)
    token_budget: int | None = Field(None, ge=0)
    recursive_scanning: bool | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)
    entries: tuple[BookEntry, ...] = Field((), max_length=1000)


class Persona(BaseModel):
    """A character the assistant can speak as; see docs/personas.md for the file format."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: PersonaId
    name: ShortText
    version: int = Field(1, ge=1)
    description: LongText = ""
    personality: LongText = ""
    scenario: LongText = ""
    speech_level: SpeechLevel
    greetings: tuple[Line, ...] = Field(min_length=1, max_length=20)
    examples: tuple[Dialogue, ...] = Field((), max_length=20)
    style: Style = Style()
    refusal: Line
    # What the persona says when no LM can answer a turn that needs one; None: the server's reply for its level.
    fallback: Line | None = None
    # The response sets whose stored answers the persona may speak (`response_set` is the one-set spelling of
    # older files, merged in); none named: every turn is generated (an imported card answers from no set).
    response_set: ShortText | None = None
    response_sets: tuple[ShortText, ...] = Field((), max_length=16)
    knowledge: ShortText | None = None
    generation: GenerationConfig = GenerationConfig()
    system_prompt: LongText = ""
    post_history_instructions: LongText = ""
    character_book: CharacterBook | None = None
    # Strings no reply may carry (checked after case, spacing and punctuation are folded away); typically also
    # written into system_prompt or the description, so a reply that quotes them is caught even when paraphrased.
    canaries: tuple[Canary, ...] = Field((), max_length=16)
    tags: tuple[ShortText, ...] = Field((), max_length=50)
    creator: str = Field("", max_length=200)
    creator_notes: LongText = ""
    character_version: str = Field("", max_length=100)
    extensions: dict[str, Any] = Field(default_factory=dict)
    card_fields: dict[str, Any] = Field(default_factory=dict)

    @property
    def answer_sets(self) -> tuple[str, ...]:
        """The response sets this persona answers from, in the order named."""
        named = (self.response_set,) if self.response_set else ()
        return tuple(dict.fromkeys((*named, *self.response_sets)))

    @property
    def greeting(self) -> str:
        """The first greeting with macros expanded for an unnamed user."""
        return self.greeting_for()

    def greeting_for(self, user_name: str = "사용자", index: int = 0) -> str:
        return expand_macros(self.greetings[index % len(self.greetings)], char=self.name, user=user_name)

    def document(self) -> dict[str, Any]:
        """The persona as a plain, JSON/YAML-ready mapping with empty optional parts left out."""
        data = self.model_dump(mode="json", exclude_defaults=True, exclude={"character_book"})
        data["version"] = self.version
        if self.character_book is not None:
            data["character_book"] = self.character_book.model_dump(mode="json", exclude_unset=True)
        return {name: data[name] for name in type(self).model_fields if name in data}
