"""The studio's response-set and card operations: stored Q/A pairs with their served counts, and card previews.

Contract: `answer_page` lists one response set's records with how often each was served (the served-answer log of
`assistant.store.served`); `update_answer` replaces a record (remove + add, one journal entry each, so the change
survives a restart like every other runtime change); `try_query` shows the selector's decision on one set without
logging anything. `card_preview` maps a Character Card to a persona without saving it and lists what maps where.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.hygiene import check_tree
from assistant.store import ServedLog
from personas import card_to_persona, read_card
from personas.cards import card_data
from retrieval import Retrieval

# Character Card field -> persona field, in the order the preview shows them.
CARD_MAP: tuple[tuple[str, str], ...] = (
    ("name", "name"), ("description", "description"), ("personality", "personality"), ("scenario", "scenario"),
    ("first_mes", "greetings[0]"), ("alternate_greetings", "greetings[1:]"), ("mes_example", "examples"),
    ("system_prompt", "system_prompt"), ("post_history_instructions", "post_history_instructions"),
    ("character_book", "character_book"), ("tags", "tags"), ("creator", "creator"),
    ("creator_notes", "creator_notes"), ("character_version", "character_version"),
)


def answer_page(retrieval: Retrieval, served: ServedLog, response_set: str, offset: int,
                limit: int) -> dict[str, Any]:
    total, records = retrieval.list_responses(response_set, offset=offset, limit=limit)
    counts = served.counts(response_set)
    return {"set": response_set, "total": total, "offset": offset,
            "data": [{**r.to_dict(), "served": counts.get(r.id, 0)} for r in records]}


def update_answer(retrieval: Retrieval, response_set: str, record_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Replace a record by a new one (the new id is the raw's `id`, else derived from its text)."""
    removed = retrieval.remove_response(response_set, record_id)
    try:
        added = retrieval.add_responses(response_set, [raw])
    except Exception:
        retrieval.add_responses(response_set, [removed.to_dict()])  # put the old one back: all or nothing
        raise
    return added[0].to_dict()


def try_query(retrieval: Retrieval, response_set: str, query: str) -> dict[str, Any]:
    return retrieval.select(query, response_set).to_dict()


def card_preview(data: bytes, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """The persona a card would become, and per card field where it goes; saves nothing. The decoded card passes
    the input-hygiene rule first, as an imported one does (`Services.import_card`)."""
    card = read_card(data, max_bytes=max_bytes)
    check_tree(card, max_depth=max_depth)
    spec, fields = card_data(card)
    persona = card_to_persona(card)
    mapping = [{"card": source, "persona": target, "value": _short(fields.get(source))}
               for source, target in CARD_MAP if fields.get(source)]
    return {"spec": spec, "document": persona.document(), "mapping": mapping}


def _short(value: Any) -> str:
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = f"{len(value.get('entries') or [])} entries" if "entries" in value else str(value)
    else:
        text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."
