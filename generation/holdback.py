"""The streaming hold-back: text reaches the client as soon as the repair and the filters can judge it, no sooner.

This is the one seam between a backend's token stream and what a client may see (docs/architecture.md, "Streaming
hold-back"). `HoldBack.feed(delta)` takes raw model text and returns what may be sent now; `HoldBack.finish(reason)`
returns the rest once the backend has finished. The concatenation of everything released is the reply: the stored
turn equals what the client read. What each judge needs to see, and so holds back:

- speech-level repair (a persona with a speech level): a sentence's ending decides whether its listener-facing words
  are rewritten, and an ending may span the last two eojeols ("할 거예요"). So the last two eojeols of the unfinished
  sentence are held, and so is every eojeol from the first one that holds a word the repair could change (a person
  word, an interjection, an honorific: `generation.speech_level.honorifics`). Other eojeols are released unchanged,
  which the repair keeps byte for byte; when the sentence ends it is repaired whole and the unsent rest is released.
- output filters (banned phrases, the profanity list): the longest entry minus one character, so a phrase that ends
  in new text never began in released text. A classifier judges whole sentences only.
- PII masking: a trailing run of digits and separators (a phone or card number written with spaces) is held until
  something else follows; an eojeol is released whole, so an e-mail address is never split.
- every `StreamGuard` given (`extra`): its `holdback(text)` trailing characters (held even when a sentence has ended
  inside them), and its `judge(text)` verdict on all the text generated so far (released, releasable and held), asked
  on every delta. This is where further rails plug in (the prompt-leak rail, `generation.leak.LeakGuard`, is one).
- a structured reply (`hold_all`, JSON output): everything, until the backend finishes.

A filter hit or a guard's veto ends the stream (`stopped` is set; the refusal is released when nothing was sent yet).
Releases are whole eojeols (the space before one goes with it), and the reply ends without trailing space. Cost:
one Kiwi tokenisation of the unfinished sentence per new eojeol, only for personas with a speech level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generation.backend import apply_stops
from generation.filters import AbuseFilter, mask_pii, normalise_for_matching
from generation.hygiene import clean_text
from generation.speech_level import SpeechLevelControl
from generation.speech_level.honorifics import risky_form
from generation.types import SpeechLevel

SENTENCE_BREAK = re.compile(r"[.!?…~。]+[\"'”’)\]]*(?=\s)|\n")
_PII_TAIL = re.compile(r"[\d+(][\d\s().+\-]*$")
_SPACE = re.compile(r"\s")


class StreamGuard(Protocol):
    """A judge of streamed text that needs to see a bounded tail before text may be released."""

    name: str

    def holdback(self, text: str) -> int:
        """How many trailing characters of `text` (everything generated so far) must not be released yet."""

    def judge(self, text: str) -> str | None:
        """None when `text` (everything generated so far: released, about to be released and held) may go on;
        else why not (the stream then ends, and nothing more is released)."""


@dataclass
class Release:
    text: str = ""
    stopped: str | None = None  # why the stream ended early ("filtered", a guard's reason), None otherwise


@dataclass(frozen=True)
class Judges:
    """What the hold-back applies: the persona's level, the filters, masking and the guards."""

    speech: SpeechLevelControl
    abuse: AbuseFilter
    level: SpeechLevel | None = None
    banned: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    mask: bool = True
    max_chars: int | None = None
    refusal: str = ""
    hold_all: bool = False
    extra: Sequence[StreamGuard] = ()


class HoldBack:
    def __init__(self, judges: Judges) -> None:
        self.j = judges
        self.raw = ""  # hygiene-cleaned model text, cut at a stop sequence
        self.done = 0  # raw characters released (in raw coordinates)
        self.sentence = 0  # raw index where the unfinished sentence starts
        self.out = ""  # what was released (repaired, masked)
        self.stopped: str | None = None
        self.length_cut = False
        self.repair_mismatch = 0
        self.stop_matched = False
        self.hits: list[dict[str, str]] = []  # what a filter found, when it ended the stream
        self._filter_tail = max((len(normalise_for_matching(w)) for w in _words(judges)), default=1) - 1

    # -- the seam ------------------------------------------------------------------------------------------------
    def feed(self, delta: str) -> Release:
        if self.stopped or self.stop_matched:
            return Release(stopped=self.stopped)
        self.raw, matched = apply_stops(self.raw + clean_text(delta), self.j.stops)
        if matched:
            self.stop_matched = True
        return self._release(final=False)

    def finish(self, finish_reason: str) -> Release:
        """The rest, once the backend has finished (`length`: an unfinished last sentence is cut off)."""
        if self.stopped:
            return Release(stopped=self.stopped)
        if finish_reason == "length":
            self._trim_unfinished()
        self.raw = self.raw[:max(len(self.raw.rstrip()), self.done)]  # as the blocking reply, no trailing space
        return self._release(final=True)

    # -- releasing -----------------------------------------------------------------------------------------------
    def _release(self, final: bool) -> Release:
        pieces: list[str] = []
        if self.j.extra and (why := self._guard_veto(self.out + self.raw[self.done:])) is not None:
            self.stopped = why
            return self._stop(pieces)
        guarded = len(self.raw) if final else self._guard_end()
        for end in self._sentence_ends(final):
            if end > guarded:  # a guard still holds part of this sentence
                break
            if not self._emit(self._repaired_sentence(end), end, pieces):
                return self._stop(pieces)
        if not final and not self.j.hold_all:
            end = self._safe_end()
            if end > self.done and not self._emit(self.raw[self.done:end], end, pieces):
                return self._stop(pieces)
        text = "".join(pieces)
        self.out += text
        return Release(text, self.stopped)

    def _sentence_ends(self, final: bool) -> Iterable[int]:
        if self.j.hold_all and not final:
            return
        start = self.sentence
        for match in SENTENCE_BREAK.finditer(self.raw, start):
            yield match.end()
        if final and len(self.raw) > self.sentence:
            yield len(self.raw)

    def _repaired_sentence(self, end: int) -> str:
        """The unsent rest of the sentence ending at `end`, repaired whole."""
        sentence, sent = self.raw[self.sentence:end], self.raw[self.sentence:self.done]
        self.sentence = end
        if not self.j.level or self.j.hold_all or not sentence.strip():
            return self.raw[self.done:end]
        repaired = self.j.speech.repair(sentence, self.j.level)
        if repaired.startswith(sent):
            return repaired[len(sent):]
        self.repair_mismatch += 1  # the released start no longer agrees: send the rest as generated
        return self.raw[self.done:end]

    def _emit(self, piece: str, end: int, pieces: list[str]) -> bool:
        """Judge `piece` (the raw text up to `end`, repaired) and queue it; False when the stream must end."""
        self.done = max(self.done, end)
        if self.j.mask:
            piece = mask_pii(piece)[0]
        sent = self.out + "".join(pieces)
        if not sent:
            piece = piece.lstrip()
        over = self.j.max_chars is not None and len(sent) + len(piece) > self.j.max_chars
        if over:
            piece = self._fit(piece, len(sent))
        candidate = sent + piece
        # The held text is judged too: a phrase already complete there must stop what would come before it.
        if (why := self._judge(candidate, self.raw[self.done:])) is not None:
            self.stopped = why
            return False
        pieces.append(piece)
        if over:
            self.stopped, self.length_cut = "length", True
            return False
        return True

    def _judge(self, candidate: str, held: str = "") -> str | None:
        if hits := self.j.abuse.check(candidate + held, self.j.banned):
            self.hits = [{"kind": h.kind, "match": h.match} for h in hits]
            return "filtered"
        return self._guard_veto(candidate + held)

    def _guard_veto(self, text: str) -> str | None:
        return next((why for guard in self.j.extra if (why := guard.judge(text)) is not None), None)

    def _guard_end(self) -> int:
        """The raw index up to which every guard lets text go."""
        return min((len(self.raw) - guard.holdback(self.raw) for guard in self.j.extra), default=len(self.raw))

    def _stop(self, pieces: list[str]) -> Release:
        text = "".join(pieces)
        self.out += text
        if self.stopped != "length" and not self.out and self.j.refusal:
            self.out = text = self.j.refusal
        return Release(text, self.stopped)

    def _fit(self, piece: str, sent: int) -> str:
        room = max(0, (self.j.max_chars or 0) - sent)
        if not sent:
            return self.j.speech.prefix_within(piece, room)
        cut = piece[:room]
        space = cut.rfind(" ")
        return cut[:space] if space > 0 else ""

    def _trim_unfinished(self) -> None:
        """Drop an unfinished last sentence of which nothing was sent (one partly sent is finished as generated)."""
        if self.raw[self.sentence:self.done].strip() or not self.raw[self.sentence:].strip():
            return
        if self.sentence > 0:  # a lone unfinished sentence is kept: an empty reply says less than a cut one
            self.raw = self.raw[:max(self.sentence, self.done)]

    # -- how much may go now --------------------------------------------------------------------------------------
    def _safe_end(self) -> int:
        """The raw index up to which the unfinished sentence may be released (at an eojeol boundary)."""
        text = self.raw
        if self.j.abuse.classifier is not None:
            return self.done  # a classifier judges whole sentences
        limit = len(text) - self._filter_tail
        pii = _PII_TAIL.search(text, self.done)
        if pii is not None and any(c.isdigit() for c in pii.group()):
            limit = min(limit, pii.start())
        limit = min(limit, self._guard_end())
        if self.j.level:
            limit = min(limit, self._speech_end())
        return self._eojeol_boundary(limit)

    def _eojeol_boundary(self, limit: int) -> int:
        """The end of the last whole eojeol at or before `limit`, past `done` (the space after it goes with the next
        one, so a reply never ends in a space the blocking reply would not have)."""
        end = self.done
        for match in _SPACE.finditer(self.raw, self.done + 1, max(self.done, limit)):
            end = max(end, match.start())
        return end

    def _speech_end(self) -> int:
        """Hold the unfinished sentence's last two eojeols and everything from its first risky eojeol on."""
        start = self.sentence
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", self.raw[start:])]
        if len(words) <= 2:
            return start
        hold = start + words[-2][0]
        tokens: Any = self.j.speech.kiwi.tokenize(self.raw[start:])
        for token in tokens:
            if token.start + start >= hold:
                break
            if risky_form(token.form, token.tag):
                word = next(s for s, e in words if s <= token.start < e)
                return min(hold, start + word)
        return hold

    @property
    def controls(self) -> list[str]:
        notes = []
        if self.length_cut:
            notes.append("max_reply_chars")
        if self.repair_mismatch:
            notes.append("stream_repair_mismatch")
        return notes


def _words(judges: Judges) -> list[str]:
    return [*judges.abuse.words, *judges.banned]


def hold_back_judges(speech: SpeechLevelControl, abuse: AbuseFilter, request: Any, *, mask: bool,
                     refusal: str, extra: Sequence[StreamGuard] = ()) -> Judges:
    """The judges for one `GenerationRequest`."""
    return Judges(speech=speech, abuse=abuse, level=None if request.response_format else request.speech_level,
                  banned=tuple(request.banned_phrases), stops=tuple(request.stop), mask=mask,
                  max_chars=None if request.response_format else request.max_reply_chars, refusal=refusal,
                  hold_all=request.response_format is not None, extra=tuple(extra))
