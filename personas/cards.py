"""Character Card V2/V3 import and export (JSON, or base64 JSON in PNG `chara` / `ccv3` text chunks).

Contract:
- `read_card` accepts JSON bytes or a PNG carrying a card (`ccv3` preferred over `chara`) and returns the
  card dict; V1 cards (fields at top level, no `spec`) are read as V2 data.
- `card_to_persona` maps card data to a `Persona`. Fields this product adds (speech level, refusal, fallback, style,
  generation, response sets, knowledge) travel in `extensions["korean_assistant"]`; every other extension, the
  character book (unknown keys included) and card fields without a persona counterpart are kept verbatim.
- `persona_to_card` maps back. For a persona imported from a card, export returns the card's fields unchanged:
  the original `mes_example` text is re-emitted while the parsed examples still match it.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from PIL import Image, PngImagePlugin

from korean.kiwi import shared_kiwi
from korean.speech import guess_speech_level
from personas.errors import CardError, PersonaError
from personas.loader import validate_document
from personas.schema import Persona

EXTENSION_KEY = "korean_assistant"
_OURS_AS_IS = ("style", "generation", "knowledge", "response_sets", "fallback", "canaries")  # read back unchanged
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
V2_FIELDS = (
    "name", "description", "personality", "scenario", "first_mes", "mes_example", "creator_notes",
    "system_prompt", "post_history_instructions", "alternate_greetings", "tags", "creator",
    "character_version", "extensions",
)
V3_ONLY_FIELDS = (
    "assets", "nickname", "creator_notes_multilingual", "source", "group_only_greetings", "creation_date",
    "modification_date",
)
_RAW_EXAMPLES = "mes_example"
_START = re.compile(r"^\s*<START>\s*$", re.IGNORECASE | re.MULTILINE)
_SPEAKER = re.compile(r"^\s*(\{\{\s*user\s*\}\}|<user>|\{\{\s*char\s*\}\}|<bot>)\s*:\s?", re.IGNORECASE)
_DEFAULT_REFUSALS = {
    "해요체": "그 이야기는 도와드리기 어려워요.",
    "합쇼체": "그 이야기는 도와드리기 어렵습니다.",
    "반말": "그 얘기는 좀 어려워.",
}


def read_card(data: bytes, *, max_bytes: int) -> dict[str, Any]:
    """Decode a card from JSON or PNG bytes."""
    if len(data) > max_bytes:
        raise CardError(f"card is {len(data)} bytes, the limit is {max_bytes}", file="<card>")
    if data.startswith(PNG_SIGNATURE):
        return _card_from_png(data)
    try:
        card = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CardError(f"neither a PNG nor valid JSON: {type(exc).__name__}: {exc}"[:300], file="<card>") from None
    if not isinstance(card, dict):
        raise CardError("a card must be a JSON object", file="<card>")
    return card


MAX_CARD_PIXELS = 4096 * 4096


def _card_from_png(data: bytes) -> dict[str, Any]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            # Reading text chunks decodes the pixels: refuse a tiny file that inflates to a huge image first.
            if image.width * image.height > MAX_CARD_PIXELS:
                raise CardError(f"the PNG is {image.width}x{image.height}; cards are at most {MAX_CARD_PIXELS} pixels",
                                file="<card.png>")
            chunks: Mapping[Any, Any] = image.text if hasattr(image, "text") else image.info
            chunks = {str(k).lower(): v for k, v in chunks.items()}
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CardError(f"unreadable PNG: {exc}", file="<card.png>") from None
    payload = chunks.get("ccv3") or chunks.get("chara")
    if payload is None:
        raise CardError("the PNG has no 'chara' or 'ccv3' text chunk", file="<card.png>")
    try:
        card = json.loads(base64.b64decode(str(payload), validate=False).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CardError(f"the PNG card chunk is not base64 JSON: {exc}", file="<card.png>") from None
    if not isinstance(card, dict):
        raise CardError("the PNG card chunk must hold a JSON object", file="<card.png>")
    return card


def card_data(card: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The card's spec name and its data mapping (V1 cards have no `data` wrapper)."""
    spec = card.get("spec")
    if spec in ("chara_card_v2", "chara_card_v3"):
        data = card.get("data")
        if not isinstance(data, dict):
            raise CardError(f"a {spec} card needs a 'data' object", file="<card>", field="data")
        return str(spec), data
    if spec is None and "name" in card:
        return "chara_card_v1", dict(card)
    raise CardError(f"unsupported card spec {spec!r}; expected chara_card_v2 or chara_card_v3", file="<card>",
                    field="spec")


def parse_mes_example(text: str) -> list[list[dict[str, str]]]:
    """Split `mes_example` on <START> into dialogues; keep only complete user->assistant alternations."""
    dialogues: list[list[dict[str, str]]] = []
    for block in _START.split(text):
        turns: list[dict[str, str]] = []
        for line in block.splitlines():
            match = _SPEAKER.match(line)
            if match:
                role = "user" if "user" in match.group(1).lower() else "assistant"
                content = line[match.end():]
                if turns and turns[-1]["role"] == role:
                    turns[-1]["text"] += "\n" + content
                else:
                    turns.append({"role": role, "text": content})
            elif turns:
                turns[-1]["text"] += "\n" + line
        turns = [{"role": t["role"], "text": t["text"].strip()} for t in turns if t["text"].strip()]
        while turns and turns[0]["role"] != "user":
            turns.pop(0)
        if len(turns) % 2:
            turns.pop()
        if turns and all(t["role"] == ("user" if i % 2 == 0 else "assistant") for i, t in enumerate(turns)):
            dialogues.append(turns)
    return dialogues


def format_mes_example(examples: Sequence[Sequence[Mapping[str, str]]]) -> str:
    return "\n".join(
        "<START>\n" + "\n".join(
            f"{'{{user}}' if t['role'] == 'user' else '{{char}}'}: {t['text']}" for t in dialogue
        )
        for dialogue in examples
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48]


def _persona_id(name: str, hint: str | None) -> str:
    # Hangul names have no ASCII slug; the card's file name is the next most recognisable id.
    return _slug(name) or _slug(hint or "") or "card-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def card_to_persona(
    card: Mapping[str, Any],
    *,
    persona_id: str | None = None,
    speech_level: str | None = None,
    default_speech_level: str = "해요체",
    response_set: str | None = None,
    id_hint: str | None = None,
    kiwi: Any = None,
) -> Persona:
    """Map a card to a Persona; the id is `persona_id`, else the one we exported, else a slug of the name or
    of `id_hint` (e.g. the file name). `kiwi` analyses the speech level when the card does not state it."""
    spec, data = card_data(card)
    data = copy.deepcopy(data)
    extensions = data.pop("extensions", None) or {}
    if not isinstance(extensions, dict):
        raise CardError("'extensions' must be an object", file="<card>", field="data.extensions")
    ours = extensions.pop(EXTENSION_KEY, None) or {}
    name = str(data.pop("name", "") or "").strip()
    alternates = data.pop("alternate_greetings", []) or []
    greetings = [str(data.pop("first_mes", "") or ""), *(str(g) for g in alternates)]
    raw_examples = str(data.pop("mes_example", "") or "")
    examples = parse_mes_example(raw_examples)
    spoken = [greetings[0], *(t["text"] for d in examples for t in d if t["role"] == "assistant")]
    level = speech_level or ours.get("speech_level") or guess_speech_level(
        spoken, kiwi if kiwi is not None else shared_kiwi()
    ) or default_speech_level
    document: dict[str, Any] = {
        "id": persona_id or ours.get("id") or _persona_id(name, id_hint),
        "name": name,
        "version": ours.get("version", 1),
        "description": data.pop("description", "") or "",
        "personality": data.pop("personality", "") or "",
        "scenario": data.pop("scenario", "") or "",
        "speech_level": level,
        "greetings": [g for g in greetings if g.strip()],
        "examples": examples,
        "refusal": ours.get("refusal") or _DEFAULT_REFUSALS.get(level, _DEFAULT_REFUSALS["해요체"]),
        "system_prompt": data.pop("system_prompt", "") or "",
        "post_history_instructions": data.pop("post_history_instructions", "") or "",
        "tags": data.pop("tags", []) or [],
        "creator": data.pop("creator", "") or "",
        "creator_notes": data.pop("creator_notes", "") or "",
        "character_version": str(data.pop("character_version", "") or ""),
        "extensions": extensions,
        "response_set": response_set or ours.get("response_set"),
    }
    document.update({key: ours[key] for key in _OURS_AS_IS if key in ours})
    book = data.pop("character_book", None)
    if book is not None:
        document["character_book"] = book
    if raw_examples:
        data[_RAW_EXAMPLES] = raw_examples
    if data.get("group_only_greetings") == []:
        del data["group_only_greetings"]  # V3 export always writes it; keeping [] would make V2 and V3 differ
    document["card_fields"] = data
    try:
        return validate_document(document, file=f"<{spec}>", file_id=None)
    except PersonaError as exc:
        raise CardError(exc.problem, file=exc.file, field=exc.field) from None


def persona_to_card(
    persona: Persona, *, spec: Literal["v2", "v3"] = "v2", include_persona_extension: bool = True
) -> dict[str, Any]:
    doc = persona.document()
    extra = dict(persona.card_fields)
    raw_examples = extra.pop(_RAW_EXAMPLES, None)
    examples = [list(d) for d in doc.get("examples", [])]
    if raw_examples is not None and parse_mes_example(raw_examples) == examples:
        mes_example = raw_examples
    else:
        mes_example = format_mes_example(examples)
    extensions = copy.deepcopy(dict(persona.extensions))
    if include_persona_extension:
        extensions[EXTENSION_KEY] = {
            "id": persona.id,
            "version": persona.version,
            "speech_level": persona.speech_level,
            "refusal": persona.refusal,
            "style": persona.style.model_dump(mode="json"),
            "generation": persona.generation.model_dump(mode="json"),
            "response_set": persona.response_set,
            "response_sets": list(persona.response_sets),
            "fallback": persona.fallback,
            "knowledge": persona.knowledge,
            "canaries": list(persona.canaries),
        }
    data: dict[str, Any] = {
        "name": persona.name,
        "description": persona.description,
        "personality": persona.personality,
        "scenario": persona.scenario,
        "first_mes": persona.greetings[0],
        "mes_example": mes_example,
        "creator_notes": persona.creator_notes,
        "system_prompt": persona.system_prompt,
        "post_history_instructions": persona.post_history_instructions,
        "alternate_greetings": list(persona.greetings[1:]),
        "tags": list(persona.tags),
        "creator": persona.creator,
        "character_version": persona.character_version,
        "extensions": extensions,
    }
    if "character_book" in doc:
        data["character_book"] = doc["character_book"]
    if spec == "v2":
        data.update({k: v for k, v in extra.items() if k not in V3_ONLY_FIELDS and k not in data})
        return {"spec": "chara_card_v2", "spec_version": "2.0", "data": data}
    data["group_only_greetings"] = []
    data.update({k: v for k, v in extra.items() if k not in data or k == "group_only_greetings"})
    return {"spec": "chara_card_v3", "spec_version": "3.0", "data": data}


def card_png(persona: Persona, *, image: bytes | None = None) -> bytes:
    """A PNG carrying the persona as V2 (`chara`) and V3 (`ccv3`) cards, on `image` or a plain canvas."""
    info = PngImagePlugin.PngInfo()
    cards = {"chara": persona_to_card(persona, spec="v2"), "ccv3": persona_to_card(persona, spec="v3")}
    for keyword, card in cards.items():
        payload = json.dumps(card, ensure_ascii=False).encode("utf-8")
        info.add_text(keyword, base64.b64encode(payload).decode("ascii"))
    try:
        canvas = Image.open(io.BytesIO(image)) if image else Image.new("RGB", (256, 256), (236, 236, 240))
    except OSError as exc:
        raise CardError(f"unreadable base image: {exc}", file="<image>") from None
    out = io.BytesIO()
    with canvas:
        canvas.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
