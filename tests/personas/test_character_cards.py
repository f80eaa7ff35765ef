"""Character Card V2/V3 import and export: JSON and PNG, lossless for shared fields, extensions kept intact."""

from __future__ import annotations

import base64
import copy
import io
import json
from typing import Any

import pytest
from PIL import Image

from personas import CardError, PersonaRegistry, card_png, card_to_persona, persona_to_card, read_card, render_prompt
from personas.cards import EXTENSION_KEY, parse_mes_example

MAX = 8 * 1024 * 1024


def _without_ours(card: dict[str, Any]) -> dict[str, Any]:
    card = copy.deepcopy(card)
    card["data"]["extensions"].pop(EXTENSION_KEY, None)
    return card


def test_v2_card_maps_to_persona_fields(card_v2: dict[str, Any]) -> None:
    persona = card_to_persona(card_v2, persona_id="seoyun")
    data = card_v2["data"]
    assert (persona.name, persona.description) == (data["name"], data["description"])
    assert (persona.personality, persona.scenario) == (data["personality"], data["scenario"])
    assert persona.greetings == (data["first_mes"], *data["alternate_greetings"])
    assert persona.speech_level == "해요체"
    assert [[t.role for t in d] for d in persona.examples] == [["user", "assistant"], ["user", "assistant"] * 2]
    assert persona.extensions == data["extensions"]
    assert persona.character_book is not None and len(persona.character_book.entries) == 2


def test_v2_card_exports_back_losslessly(card_v2: dict[str, Any]) -> None:
    exported = persona_to_card(card_to_persona(card_v2))
    assert _without_ours(exported) == card_v2


def test_persona_extension_restores_product_fields(card_v2: dict[str, Any]) -> None:
    persona = card_to_persona(card_v2, persona_id="seoyun", speech_level="합쇼체", response_set="cafe")
    persona = persona.model_copy(update={"canaries": ("CANARY-SEOYUN-01",)})  # the leak rail's canaries travel too
    again = card_to_persona(json.loads(json.dumps(persona_to_card(persona, spec="v3"))))
    assert again == persona


def test_png_card_imports_like_json(card_v2: dict[str, Any], card_png_bytes: bytes) -> None:
    assert read_card(card_png_bytes, max_bytes=MAX) == card_v2


def test_exported_png_carries_v2_and_v3_cards(card_v2: dict[str, Any]) -> None:
    persona = card_to_persona(card_v2, persona_id="seoyun")
    data = card_png(persona)
    with Image.open(io.BytesIO(data)) as image:
        chunks = image.text  # type: ignore[attr-defined]
    v2 = json.loads(base64.b64decode(chunks["chara"]))
    v3 = json.loads(base64.b64decode(chunks["ccv3"]))
    assert v2["spec"] == "chara_card_v2" and v3["spec"] == "chara_card_v3"
    assert _without_ours(v2) == card_v2
    assert card_to_persona(read_card(data, max_bytes=MAX)) == persona


def test_v3_card_keeps_v3_fields_and_unknown_extensions(card_v2: dict[str, Any]) -> None:
    v3 = copy.deepcopy(card_v2)
    v3["spec"], v3["spec_version"] = "chara_card_v3", "3.0"
    v3["data"] |= {
        "nickname": "윤이",
        "group_only_greetings": ["다들 어서 오세요!"],
        "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
        "creation_date": 1700000000,
        "source": ["https://example.invalid/seoyun"],
    }
    v3["data"]["character_book"]["entries"][0]["use_regex"] = False
    persona = card_to_persona(v3)
    assert persona.card_fields["nickname"] == "윤이"
    assert _without_ours(persona_to_card(persona, spec="v3")) == v3
    v2 = persona_to_card(persona, spec="v2")
    assert "nickname" not in v2["data"] and "assets" not in v2["data"]


def test_mes_example_splits_on_start_and_keeps_multiline_turns() -> None:
    text = (
        "<START>\n{{user}}: 안녕\n{{char}}: 반가워.\n*손을 흔든다*\n"
        "<start>\n{{char}}: *먼저 말을 건다*\n<USER>: 뭐 해?\n<BOT>: 책 읽어.\n{{user}}: 무슨 책?"
    )
    assert parse_mes_example(text) == [
        [{"role": "user", "text": "안녕"}, {"role": "assistant", "text": "반가워.\n*손을 흔든다*"}],
        [{"role": "user", "text": "뭐 해?"}, {"role": "assistant", "text": "책 읽어."}],
    ]


def test_edited_examples_are_exported_in_card_format(card_v2: dict[str, Any]) -> None:
    persona = card_to_persona(card_v2)
    edited = persona.model_copy(update={"examples": persona.examples[:1]})
    mes_example = persona_to_card(edited)["data"]["mes_example"]
    assert mes_example.count("<START>") == 1 and mes_example.startswith("<START>\n{{user}}: 추천 메뉴 있어요?")


def test_imported_card_chats_with_macros_and_lorebook(card_v2: dict[str, Any]) -> None:
    persona = card_to_persona(card_v2)
    messages = render_prompt(persona, [], "원두는 직접 볶으세요?", "", [], 100_000, len, user_name="지훈")
    system = messages[0]["content"]
    assert "서윤은 연남동" in system and "지훈이 카페" in system
    assert card_v2["data"]["character_book"]["entries"][0]["content"] in system
    assert card_v2["data"]["character_book"]["entries"][1]["content"] not in system
    assert all("{{" not in m["content"] for m in messages)


def test_card_over_size_limit_is_refused(card_bytes: bytes) -> None:
    assert read_card(card_bytes, max_bytes=len(card_bytes))["spec"] == "chara_card_v2"
    with pytest.raises(CardError, match="limit"):
        read_card(card_bytes, max_bytes=len(card_bytes) - 1)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not a card", "neither a PNG nor valid JSON"),
        (b'{"spec": "chara_card_v9", "data": {}}', "unsupported card spec"),
        (b'{"spec": "chara_card_v2", "data": []}', "needs a 'data' object"),
        (b"[1, 2]", "JSON object"),
    ],
)
def test_malformed_cards_are_refused_with_reason(payload: bytes, message: str) -> None:
    with pytest.raises(CardError, match=message):
        card_to_persona(read_card(payload, max_bytes=MAX))


def test_png_without_card_chunk_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    with pytest.raises(CardError, match="chara"):
        read_card(out.getvalue(), max_bytes=MAX)


def test_card_without_name_names_the_field(card_v2: dict[str, Any]) -> None:
    broken = copy.deepcopy(card_v2)
    broken["data"]["name"] = ""
    with pytest.raises(CardError) as caught:
        card_to_persona(broken, persona_id="x")
    assert caught.value.field == "name"


def test_registry_import_stores_card_and_refuses_duplicate(
    writable_registry: PersonaRegistry, card_bytes: bytes, card_png_bytes: bytes
) -> None:
    persona = writable_registry.import_card(card_bytes, id_hint="seoyun_v2")
    assert persona.id == "seoyun-v2" and writable_registry.get("seoyun-v2") == persona
    with pytest.raises(Exception, match="already exists"):
        writable_registry.import_card(card_png_bytes, id_hint="seoyun_v2")
    replaced = writable_registry.import_card(card_png_bytes, id_hint="seoyun_v2", overwrite=True)
    assert replaced.version == persona.version + 1
    assert _without_ours(persona_to_card(writable_registry.get("seoyun-v2"))) == json.loads(card_bytes)
