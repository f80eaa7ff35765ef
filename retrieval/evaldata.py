"""Labelled selection episodes built from the shared Korean datasets (calibration and evaluation).

Contract: `build_episode(root, split)` returns an index (ChatbotData question/answer pairs with the
split's query strings removed) and labelled queries: held-out paraphrases of stored questions
(songys Question_pair, `is_duplicate=0` means the same question; gold = the stored answer, scored by
answer text because ChatbotData repeats answers), near-misses (`is_duplicate=1`: a stored question on
the same topic with another intent) and out-of-domain questions (KorQuAD questions and sae4k assistant
commands, split three ways by a hash of the text). Splits: "train" fits, "validation" picks the
threshold, "test" only evaluates, so nothing is tuned on the evaluation split.

`stylekqc_episode(root, part)` is the second evaluation: StyleKQC's paraphrase groups (ten consecutive sentences of
one request in `act/test.tsv` and `act/dev.tsv`, formal and informal). Items are split by a hash of their first
sentence: "train" items (three tenths) may train or fit anything, "validation" items (one tenth) choose thresholds,
"eval" items (six tenths) are never trained or fitted on. Two thirds of the
eval items are indexed (the first sentence stored, the other nine are paraphrase queries), the rest are unseen
near-miss items (their sentences must go to generation), and as many ChatbotData questions as near-misses are
chit-chat.

`batch_episode(path)` reads a selector batch written for the project (JSON: `stored` [{id, question, answer}],
`paraphrases` [{query, target}], `near_misses` [{query}], `chitchat` [text]; `benchmarks/data/selector_batches`):
the stored items are the index, the paraphrases' gold is their target's answer, the rest must go to generation.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrieval.records import make_record
from retrieval.types import ResponseRecord

Split = Literal["train", "validation", "test"]
IndexKind = Literal["pairs", "chatbot"]
# Single texts (KorQuAD questions, sae4k utterances) are split by a hash into tenths: eight for training,
# one each for validation and test; the evaluation samples a few hundred from its tenth.
_SPLIT_PART = {"train": 0, "validation": 8, "test": 9}


@dataclass(frozen=True)
class Query:
    text: str
    gold: str | None  # the right answer text, None when the query should go to generation
    group: str  # "paraphrase" | "near_miss" | "ood"


@dataclass(frozen=True)
class Episode:
    split: str
    records: list[ResponseRecord]
    queries: list[Query]

    def group(self, name: str) -> list[Query]:
        return [q for q in self.queries if q.group == name]


def chatbot_rows(root: Path) -> list[tuple[str, str]]:
    with (root / "songys_chatbot_data" / "ChatbotData.csv").open(encoding="utf-8") as fh:
        return [(r["Q"].strip(), r["A"].strip()) for r in csv.DictReader(fh) if r["Q"].strip()]


def question_pairs(root: Path, split: Split) -> list[tuple[str, str, int]]:
    path = root / "songys_question_pair" / f"{split}.txt"
    with path.open(encoding="utf-8-sig") as fh:
        return [(r["question1"].strip(), r["question2"].strip(), int(r["is_duplicate"]))
                for r in csv.DictReader(fh, delimiter="\t")]


def _part(text: str) -> int:
    """0 (train) for eight tenths of texts, 8 (validation) or 9 (test) for one tenth each."""
    tenth = int(hashlib.sha1(text.encode()).hexdigest(), 16) % 10
    return tenth if tenth >= 8 else 0


def ood_questions(root: Path, split: Split) -> tuple[list[str], list[str]]:
    """Out-of-domain questions for a split: KorQuAD questions and sae4k utterances, disjoint across splits."""
    part = _SPLIT_PART[split]
    data = json.loads((root / "korquad_v1" / "KorQuAD_v1.0_dev.json").read_text(encoding="utf-8"))
    korquad = sorted({qa["question"].strip() for article in data["data"] for para in article["paragraphs"]
                      for qa in para["qas"]})
    with (root / "sae4k" / "sae4k_dev.tsv").open(encoding="utf-8") as fh:
        sae = sorted({line.split("\t")[0].strip() for line in fh if line.strip()})
    return [q for q in korquad if _part(q) == part], [q for q in sae if _part(q) == part]


StyleKQCPart = Literal["train", "validation", "eval"]
_STYLEKQC_FILES = ("act/test.tsv", "act/dev.tsv")
_STYLEKQC_ITEM = 10


def stylekqc_items(root: Path) -> list[list[str]]:
    """The paraphrase groups of StyleKQC: consecutive runs of ten sentences of one request."""
    items: list[list[str]] = []
    for name in _STYLEKQC_FILES:
        with (root / "stylekqc" / name).open(encoding="utf-8") as fh:
            sentences = [line.rstrip("\n").split("\t", 1)[1].strip() for line in list(fh)[1:] if "\t" in line]
        items += [sentences[i:i + _STYLEKQC_ITEM] for i in range(0, len(sentences), _STYLEKQC_ITEM)]
    return [item for item in items if len(item) == _STYLEKQC_ITEM]


def stylekqc_part(item: list[str]) -> StyleKQCPart:
    tenth = int(hashlib.md5(item[0].encode()).hexdigest(), 16) % 10
    return "train" if tenth < 3 else "validation" if tenth == 3 else "eval"


def stylekqc_episode(root: Path, part: StyleKQCPart = "eval", *, seed: int = 13) -> Episode:
    """Labelled queries over the StyleKQC items of `part` (see the module docstring)."""
    items = [item for item in stylekqc_items(root) if stylekqc_part(item) == part]
    rng = random.Random(seed)
    rng.shuffle(items)
    n_indexed = len(items) * 2 // 3
    records = [make_record({"id": f"sk{i}", "question": item[0], "answer": item[0]})
               for i, item in enumerate(items[:n_indexed])]
    queries = [Query(text, item[0], "paraphrase") for item in items[:n_indexed] for text in item[1:]]
    near = [Query(text, None, "near_miss") for item in items[n_indexed:] for text in item]
    stored = {r.question for r in records} | {q.text for q in queries} | {q.text for q in near}
    chit = [q for q, _ in chatbot_rows(root) if q not in stored]
    queries += near + [Query(q, None, "ood") for q in rng.sample(chit, min(len(near), len(chit)))]
    return Episode(f"stylekqc-{part}", records, queries)


def build_episode(root: Path, split: Split, *, index: IndexKind = "pairs", ood_ratio: float = 1.0,
                  seed: int = 13) -> Episode:
    """Labelled queries for `split`.

    index="pairs": the index holds the split's question1 strings (each its own answer), as in the paraphrase set
    of docs/architecture.md ("Measured facts"); a paraphrase is right when its partner comes first.
    index="chatbot": the index is all ChatbotData pairs minus the split's query strings (about 11k distractors)
    and a hit is right when its answer text equals the partner's answer; loose paraphrases then often meet a
    closer stored question with another answer, so this is the harder, more pessimistic number.
    """
    pairs = question_pairs(root, split)
    held_out = {q2 for _, q2, _ in pairs}
    answer_of: dict[str, str] = {}
    records: list[ResponseRecord] = []
    if index == "chatbot":
        for i, (q, a) in enumerate(chatbot_rows(root)):
            answer_of.setdefault(q, a)
            if q not in held_out:
                records.append(make_record({"id": f"cb{i}", "question": q, "answer": a}))
    else:
        for i, q1 in enumerate(dict.fromkeys(q1 for q1, _, _ in pairs)):
            if q1 not in held_out:
                answer_of[q1] = q1
                records.append(make_record({"id": f"qp{i}", "question": q1, "answer": q1}))
    stored = {r.question for r in records}
    queries: list[Query] = []
    for q1, q2, dup in pairs:
        if q1 == q2 or q1 not in stored:
            continue
        queries.append(Query(q2, answer_of[q1], "paraphrase") if dup == 0 else Query(q2, None, "near_miss"))
    unique: dict[str, Query] = {}
    for query in queries:
        unique.setdefault(query.text, query)
    queries = list(unique.values())
    n_ood = int(len([q for q in queries if q.group == "paraphrase"]) * ood_ratio)
    korquad, sae = ood_questions(root, split)
    rng = random.Random(seed)
    ood = rng.sample(korquad, min(n_ood // 2, len(korquad))) + rng.sample(sae, min(n_ood - n_ood // 2, len(sae)))
    queries.extend(Query(q, None, "ood") for q in ood if q not in stored)
    return Episode(f"{split}-{index}", records, queries)


def batch_episode(path: Path) -> Episode:
    data = json.loads(path.read_text(encoding="utf-8"))
    stored = data["stored"]
    records = [make_record({"id": s["id"], "question": s["question"], "answer": s["answer"]}) for s in stored]
    answer = {s["id"]: s["answer"] for s in stored}
    queries = [Query(p["query"], answer[p["target"]], "paraphrase") for p in data["paraphrases"]]
    queries += [Query(n["query"], None, "near_miss") for n in data["near_misses"]]
    queries += [Query(c, None, "ood") for c in data["chitchat"]]
    return Episode(f"batch:{path.stem}", records, queries)
