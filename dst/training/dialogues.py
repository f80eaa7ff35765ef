"""Labelled dialogues for training context injection, in one shape.

Contract: `load_dialogues(paths)` reads JSON-lines files of dialogues and returns `Dialogue`s: the history, the last
user utterance, the antecedents a correct rewrite brings in (the history substrings it must contain), and whether
the utterance must stay unchanged. Two formats are read: the written training dialogues
(`dst/training/data/written_dialogues.jsonl`: `antecedents` and a gold `standalone`) and the case files
(`benchmarks/data/context_cases.jsonl`: `must_contain`, of which the strings found in the history and not in the
utterance are the antecedents). Evaluation batches that are still blind are never passed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dst.types import HistoryTurn

WRITTEN = Path(__file__).resolve().parent / "data" / "written_dialogues.jsonl"


@dataclass(frozen=True)
class Dialogue:
    id: str
    category: str
    history: tuple[HistoryTurn, ...]
    utterance: str
    antecedents: tuple[str, ...]
    unchanged: bool
    standalone: str | None = None  # the gold rewrite, when the file gives one


def _dialogue(raw: dict) -> Dialogue:
    history = tuple(HistoryTurn(t["role"], t["text"]) for t in raw["history"])
    said = " ".join(t.text for t in history)
    if "antecedents" in raw:
        antecedents = tuple(raw["antecedents"])
    else:
        antecedents = tuple(m for m in raw.get("must_contain", []) if m in said and m not in raw["utterance"])
    return Dialogue(str(raw["id"]), str(raw.get("category", "")), history, raw["utterance"], antecedents,
                    bool(raw.get("unchanged", False)), raw.get("standalone"))


def load_dialogues(paths: Iterable[Path]) -> list[Dialogue]:
    out: list[Dialogue] = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as fh:
            out.extend(_dialogue(json.loads(line)) for line in fh if line.strip())
    return out
