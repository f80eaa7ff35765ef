"""Training pairs assembled from the open Korean data sets, with the dev evaluation held out.

Contract: `assemble(root)` reads `shared/data` and returns `TrainingData`: paraphrase pairs (anchor,
positive, source, group) for a contrastive loss, scored pairs (a, b, score in [0, 1]) for a score
loss, and labelled near-miss pairs (same topic, different intent) used by the verifier. Every item
touching a text or answer of the evaluation's held-out split (`retrieval.training.splits`) is dropped.
`group` names the meaning a pair belongs to, so that batches never hold two pairs of one group (they
would be false in-batch negatives). Sources: sae4k utterance/core query, StyleKQC similarity,
songys Question_pair (`is_duplicate=0` means the same question), ChatbotData questions sharing an
answer, KLUE-NLI entailment (contradictions are near-misses), KorSTS and KLUE-STS scores.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.evaldata import chatbot_rows
from retrieval.training.splits import HeldOut, is_train_text, normalise

SOURCES = ("sae4k", "stylekqc", "question_pair", "chatbot", "klue_nli", "sts")


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    source: str
    group: str
    negative: str | None = None  # a mined hard negative of the anchor (another meaning that shares its words)


@dataclass(frozen=True)
class ScoredPair:
    a: str
    b: str
    score: float  # similarity in [0, 1]


@dataclass
class TrainingData:
    pairs: list[Pair] = field(default_factory=list)
    scored: list[ScoredPair] = field(default_factory=list)
    negatives: list[Pair] = field(default_factory=list)  # near-misses: `positive` holds the other text

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for p in self.pairs:
            out[f"pairs/{p.source}"] += 1
        for n in self.negatives:
            out[f"near_miss/{n.source}"] += 1
        out["scored/sts"] = len(self.scored)
        return dict(sorted(out.items()))

    def texts(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in (*self.pairs, *self.negatives):
            seen.setdefault(p.anchor)
            seen.setdefault(p.positive)
        for s in self.scored:
            seen.setdefault(s.a)
            seen.setdefault(s.b)
        return list(seen)


def _tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def _keep(held: HeldOut, a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    return bool(a) and bool(b) and a != b and not held.blocks(a, b)


def sae4k(root: Path, held: HeldOut) -> Iterable[Pair]:
    with (root / "sae4k" / "sae4k_dev.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and is_train_text(cols[0].strip()) and _keep(held, cols[0], cols[1]):
                yield Pair(normalise(cols[0]), normalise(cols[1]), "sae4k", "sae4k:" + normalise(cols[1]))


def components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """node -> a representative of its connected component (union-find with path halving)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    return {x: find(x) for x in parent}


def stylekqc(root: Path, held: HeldOut, per_group: int) -> tuple[list[Pair], list[Pair]]:
    """Similarity pairs; each paraphrase cluster contributes at most `per_group` positives."""
    rows = [(normalise(r["sentence1"]), normalise(r["sentence2"]), r["similarity"].strip())
            for r in _tsv(root / "stylekqc" / "sts" / "dev.tsv")]
    rows = [r for r in rows if _keep(held, r[0], r[1])]
    root_of = components([(a, b) for a, b, s in rows if s == "1"])
    taken: dict[str, int] = defaultdict(int)
    pos, neg = [], []
    for a, b, s in rows:
        group = "stylekqc:" + root_of.get(a, a)
        if s == "1" and taken[group] < per_group:
            taken[group] += 1
            pos.append(Pair(a, b, "stylekqc", group))
        elif s == "0":
            neg.append(Pair(a, b, "stylekqc", group))
    return pos, neg


def question_pair(root: Path, held: HeldOut) -> tuple[list[Pair], list[Pair]]:
    """songys Question_pair train files; the label is inverted (0 = same question)."""
    base = root / "songys_question_pair"
    rows = [(r["question1"], r["question2"], r["is_duplicate"]) for r in _tsv(base / "train.txt")]
    for name in ("kor_pair_train.csv", "kor_Pair_test.csv"):
        with (base / name).open(encoding="utf-8-sig") as fh:
            rows += [(r["question1"], r["question2"], r["is_duplicate"]) for r in csv.DictReader(fh)]
    pos: dict[tuple[str, str], Pair] = {}
    neg: dict[tuple[str, str], Pair] = {}
    for q1, q2, label in rows:
        if not _keep(held, q1, q2) or label.strip() not in ("0", "1"):
            continue
        a, b = normalise(q1), normalise(q2)
        target = pos if label.strip() == "0" else neg
        target.setdefault((a, b), Pair(a, b, "question_pair", "qp:" + a))
    return list(pos.values()), list(neg.values())


def chatbot(root: Path, held: HeldOut, per_answer: int) -> list[Pair]:
    """ChatbotData questions that share an answer are paraphrase pairs (chained, capped per answer)."""
    by_answer: dict[str, list[str]] = defaultdict(list)
    for q, a in chatbot_rows(root):
        q, a = normalise(q), normalise(a)
        if held.blocks(q) or held.blocks_answer(a) or q in by_answer[a]:
            continue
        by_answer[a].append(q)
    out = []
    for answer, questions in by_answer.items():
        for a, b in list(itertools.pairwise(questions))[:per_answer]:
            out.append(Pair(a, b, "chatbot", "chatbot:" + answer))
    return out


def klue_nli(root: Path, held: HeldOut) -> tuple[list[Pair], list[Pair]]:
    data = json.loads((root / "klue" / "klue-nli-v1.1_dev.json").read_text(encoding="utf-8"))
    pos, neg = [], []
    for row in data:
        if not _keep(held, row["premise"], row["hypothesis"]):
            continue
        pair = Pair(normalise(row["premise"]), normalise(row["hypothesis"]), "klue_nli",
                    "nli:" + normalise(row["premise"]))
        if row["gold_label"] == "entailment":
            pos.append(pair)
        elif row["gold_label"] == "contradiction":
            neg.append(pair)
    return pos, neg


def sts(root: Path, held: HeldOut) -> list[ScoredPair]:
    out = []
    for name in ("sts-dev.tsv", "sts-test.tsv"):
        for r in _tsv(root / "korsts" / name):
            if r.get("score") and _keep(held, r["sentence1"] or "", r["sentence2"] or ""):
                out.append(ScoredPair(normalise(r["sentence1"]), normalise(r["sentence2"]), float(r["score"]) / 5))
    for row in json.loads((root / "klue" / "klue-sts-v1.1_dev.json").read_text(encoding="utf-8")):
        if _keep(held, row["sentence1"], row["sentence2"]):
            out.append(ScoredPair(normalise(row["sentence1"]), normalise(row["sentence2"]),
                                  float(row["labels"]["label"]) / 5))
    return out


def assemble(root: Path, *, sources: Iterable[str] = SOURCES, stylekqc_per_group: int = 12,
             chatbot_per_answer: int = 4, held: HeldOut | None = None) -> TrainingData:
    root = Path(root)
    wanted = set(sources)
    unknown = wanted - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown training sources {sorted(unknown)}; known: {list(SOURCES)}")
    if not (root / "songys_question_pair").is_dir():
        raise FileNotFoundError(f"{root} does not hold the shared Korean data sets (see shared/data/README.md)")
    held = held or HeldOut.from_root(root)
    data = TrainingData()
    if "sae4k" in wanted:
        data.pairs += sae4k(root, held)
    if "stylekqc" in wanted:
        pos, neg = stylekqc(root, held, stylekqc_per_group)
        data.pairs += pos
        data.negatives += neg
    if "question_pair" in wanted:
        pos, neg = question_pair(root, held)
        data.pairs += pos
        data.negatives += neg
    if "chatbot" in wanted:
        data.pairs += chatbot(root, held, chatbot_per_answer)
    if "klue_nli" in wanted:
        pos, neg = klue_nli(root, held)
        data.pairs += pos
        data.negatives += neg
    if "sts" in wanted:
        data.scored += sts(root, held)
    return data
