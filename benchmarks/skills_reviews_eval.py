"""Quality of the extractive review summariser on NSMC (500 movies x ~100 reviews with 1-10 ratings).

For every movie the skill runs twice: with ratings (sentiment from ratings) and with ratings removed
(sentiment from the Korean lexicon). Reports how well the lexicon-only sentiment distribution matches the
ratings' distribution (per-movie L1 distance, error of the positive share, correlation across movies,
review-level agreement), and how often pros/cons are supported by the cited reviews (the cited review
contains the phrase, and its rating agrees with the pro/con polarity). Writes JSON and prints a table.

    .venv/bin/python benchmarks/skills_reviews_eval.py [--movies 500] [--skip 0]

The lexicon's film-review words were chosen looking at the first 250 movies only; `--skip 250` is held out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

import numpy as np

from generation.skills import default_registry
from generation.skills.extractive import LABELS, rating_label


def load_movies(folder: Path, limit: int, skip: int = 0) -> list[tuple[str, list[dict]]]:
    movies = []
    for path in sorted(folder.glob("*.json"))[skip : skip + limit]:
        rows = json.loads(path.read_text(encoding="utf-8"))
        reviews = [{"id": r["review_id"], "text": r["review"], "rating": int(r["rating"])} for r in rows]
        movies.append((path.stem, reviews))
    return movies


async def evaluate(movies: list[tuple[str, list[dict]]]) -> dict:
    registry = default_registry(None, {})
    l1, pos_err, pos_true, pos_lex, agree, agree_binary = [], [], [], [], [], []
    cited = {"rating": [0, 0, 0], "lexicon": [0, 0, 0]}  # [cited, contains phrase, polarity agrees]
    phrases = {"rating": 0, "lexicon": 0}
    elapsed = {"rating": 0.0, "lexicon": 0.0}
    for _, reviews in movies:
        by_id = {r["id"]: r for r in reviews}
        for mode in ("rating", "lexicon"):
            payload = reviews if mode == "rating" else [{"id": r["id"], "text": r["text"]} for r in reviews]
            started = time.perf_counter()
            try:
                result = await registry.run("summarize-reviews", {"reviews": payload})
            except ValueError:
                continue
            elapsed[mode] += time.perf_counter() - started
            out = result.output
            for polarity, entries in (("positive", out["pros"]), ("negative", out["cons"])):
                for entry in entries:
                    phrases[mode] += 1
                    for rid in entry["review_ids"]:
                        review = by_id[rid]
                        cited[mode][0] += 1
                        cited[mode][1] += entry["phrase"] in review["text"]
                        cited[mode][2] += rating_label(review["rating"], 10) == polarity
            if mode == "rating":
                truth = np.array([out["sentiment"][k] for k in LABELS], dtype=float)
            else:
                lex = np.array([out["sentiment"][k] for k in LABELS], dtype=float)
        t, p = truth / truth.sum(), lex / lex.sum()
        l1.append(float(np.abs(t - p).sum()))
        pos_err.append(abs(float(t[0] - p[0])))
        pos_true.append(float(t[0]))
        pos_lex.append(float(p[0]))
    # review-level agreement (three classes, and positive/negative only where both sides are polar)
    from generation.skills import lexicon
    from korean.kiwi import shared_kiwi

    sample = [r for _, reviews in movies for r in reviews]
    tokens = shared_kiwi().tokenize([r["text"] for r in sample])
    for r, toks in zip(sample, tokens, strict=True):
        gold, pred = rating_label(r["rating"], 10), lexicon.label(lexicon.score(toks))
        agree.append(gold == pred)
        if gold != "neutral" and pred != "neutral":
            agree_binary.append(gold == pred)
    return {
        "movies": len(movies),
        "reviews": len(sample),
        "distribution_l1_mean": round(statistics.mean(l1), 4),
        "positive_share_abs_error_mean": round(statistics.mean(pos_err), 4),
        "positive_share_correlation": round(float(np.corrcoef(pos_true, pos_lex)[0, 1]), 4),
        "review_agreement_3class": round(statistics.mean(agree), 4),
        "review_agreement_polar_only": round(statistics.mean(agree_binary), 4),
        "review_polar_coverage": round(len(agree_binary) / len(agree), 4),
        "support": {
            mode: {
                "phrases": phrases[mode],
                "cited_reviews": c[0],
                "cited_contains_phrase": round(c[1] / max(1, c[0]), 4),
                "cited_rating_agrees_with_polarity": round(c[2] / max(1, c[0]), 4),
                "ms_per_movie": round(1000 * elapsed[mode] / max(1, len(movies)), 1),
            }
            for mode, c in cited.items()
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/nsmc/raw")
    ap.add_argument("--movies", type=int, default=500)
    ap.add_argument("--skip", type=int, default=0, help="start after this many movies (sorted by file name)")
    ap.add_argument("--out", default="benchmarks/results/skills_reviews_eval.json")
    args = ap.parse_args()
    report = asyncio.run(evaluate(load_movies(Path(args.data), args.movies, args.skip)))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    for key, value in report.items():
        if key != "support":
            print(f"{key:<38}{value}")
    print(f"{'mode':<10}{'phrases':>9}{'cited':>8}{'contains':>10}{'polarity ok':>13}{'ms/movie':>10}")
    for mode, s in report["support"].items():
        print(f"{mode:<10}{s['phrases']:>9}{s['cited_reviews']:>8}{s['cited_contains_phrase']:>10.3f}"
              f"{s['cited_rating_agrees_with_polarity']:>13.3f}{s['ms_per_movie']:>10.1f}")


if __name__ == "__main__":
    main()
