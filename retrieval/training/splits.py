"""The one train/held-out split shared by training and the dev evaluation.

Contract: the dev evaluation (`retrieval.evaldata`) queries with songys Question_pair validation/test
strings, ChatbotData answers of those strings, and KorQuAD/sae4k texts whose hash part is not "train".
`HeldOut.from_root` collects exactly those, and `HeldOut.blocks(*texts)` says whether a training item
touching any of the texts must be dropped. Nothing here is tuned to a string of a data set.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from retrieval.evaldata import _SPLIT_PART, _part, chatbot_rows, question_pairs

TRAIN_PART = _SPLIT_PART["train"]


def is_train_text(text: str) -> bool:
    """Hash split of single texts (KorQuAD questions, sae4k utterances), the same as the evaluation's."""
    return _part(text) == TRAIN_PART


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class HeldOut:
    texts: frozenset[str]
    answers: frozenset[str]

    @classmethod
    def from_root(cls, root: Path) -> HeldOut:
        texts: set[str] = set()
        for split in ("validation", "test"):
            for q1, q2, _ in question_pairs(root, split):
                texts.update((normalise(q1), normalise(q2)))
        by_question: dict[str, set[str]] = defaultdict(set)
        for q, a in chatbot_rows(root):
            by_question[normalise(q)].add(normalise(a))
        answers = {a for t in texts for a in by_question.get(t, ())}
        return cls(frozenset(texts), frozenset(answers))

    def blocks(self, *texts: str) -> bool:
        return any(normalise(t) in self.texts for t in texts)

    def blocks_answer(self, answer: str) -> bool:
        return normalise(answer) in self.answers
