"""Quality of the review summariser without ratings on NSMC movies (500 movies x ~100 reviews, ratings 1-10).

Each movie is summarised with its ratings removed, so sentiment comes from the learned model (`--sentiment`:
the stacked n-gram + e5 model, the n-gram model alone, or the lexicon) and pros/cons polarity from it too; the
ratings then judge the result:
- per-movie positive share (ratings 8-10) against the summary's: mean absolute error and correlation;
- the cited reviews of each pro (con) whose rating is positive, 8-10 (negative, 1-4);
- on movies whose reviews are >= 20% negative (1-4), how often the cons list is non-empty.
`--split test` keeps only the movies the sentiment model never saw (`sentiment_train.movie_split`).
`--with-ratings` also runs each movie with its ratings (the grounded-by-construction reference).

    python benchmarks/skills_reviews_eval.py --split test --out benchmarks/results/skills_reviews_eval_test.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from generation.skills import default_registry
from generation.skills.extractive import rating_label
from generation.skills.sentiment_train import movie_split
from generation.skills.settings import SkillsSettings


def load_movies(folder: Path, split: str, limit: int) -> list[tuple[str, list[dict]]]:
    movies = []
    for path in sorted(folder.glob("*.json")):
        if split != "all" and movie_split(path.stem) != split:
            continue
        rows = json.loads(path.read_text(encoding="utf-8"))
        reviews = [{"id": r["review_id"], "text": r["review"], "rating": int(r["rating"])} for r in rows]
        movies.append((path.stem, reviews))
    return movies[:limit]


def _judge(out: dict, by_id: dict[str, dict], cited: list[int]) -> None:
    for polarity, entries in (("positive", out["pros"]), ("negative", out["cons"])):
        for entry in entries:
            for rid in entry["review_ids"]:
                cited[0] += 1
                cited[1] += rating_label(by_id[rid]["rating"], 10) == polarity


async def evaluate(movies: list[tuple[str, list[dict]]], with_ratings: bool, sentiment: str = "ngram"
                   ) -> dict[str, Any]:
    settings = SkillsSettings.model_validate({"reviews": {"sentiment_model": sentiment}})
    registry = default_registry(None, {}, settings=settings)
    true_pos, pred_pos, cons_present = [], [], []
    cited = {"without_ratings": [0, 0], "with_ratings": [0, 0]}
    elapsed, sources = 0.0, {}
    for _, reviews in movies:
        by_id = {r["id"]: r for r in reviews}
        started = time.perf_counter()
        result = await registry.run("summarize-reviews", {"reviews": [{"id": r["id"], "text": r["text"]}
                                                                      for r in reviews]})
        elapsed += time.perf_counter() - started
        out = result.output
        for k, v in result.trace["sentiment_source"].items():
            sources[k] = sources.get(k, 0) + v
        _judge(out, by_id, cited["without_ratings"])
        n = sum(out["sentiment"].values())
        pred_pos.append(out["sentiment"]["positive"] / n)
        true_pos.append(np.mean([rating_label(r["rating"], 10) == "positive" for r in reviews]))
        if np.mean([r["rating"] <= 4 for r in reviews]) >= 0.2:
            cons_present.append(bool(out["cons"]))
        if with_ratings:
            rated = await registry.run("summarize-reviews", {"reviews": reviews})
            _judge(rated.output, by_id, cited["with_ratings"])
    t, p = np.array(true_pos), np.array(pred_pos)
    return {
        "movies": len(movies),
        "sentiment_source": sources,
        "positive_share_abs_error_mean": round(float(np.mean(np.abs(t - p))), 4),
        "positive_share_correlation": round(float(np.corrcoef(t, p)[0, 1]), 4),
        "cited_polarity_agrees_without_ratings": round(cited["without_ratings"][1]
                                                       / max(1, cited["without_ratings"][0]), 4),
        "cited_reviews_without_ratings": cited["without_ratings"][0],
        "cited_polarity_agrees_with_ratings": (round(cited["with_ratings"][1] / max(1, cited["with_ratings"][0]), 4)
                                               if with_ratings else None),
        "movies_with_20pct_negative": len(cons_present),
        "cons_non_empty_on_those": round(float(np.mean(cons_present)), 4) if cons_present else None,
        "ms_per_movie_without_ratings": round(1000 * elapsed / max(1, len(movies)), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/nsmc/raw")
    ap.add_argument("--split", choices=("all", "train", "validation", "test"), default="test")
    ap.add_argument("--movies", type=int, default=500, help="at most this many movies of the split")
    ap.add_argument("--with-ratings", action="store_true")
    ap.add_argument("--sentiment", choices=("ngram", "stacked", "lexicon"), default="ngram",
                    help="the sentiment model of unrated reviews (skills.reviews.sentiment_model)")
    ap.add_argument("--out", default="benchmarks/results/skills_reviews_eval_test.json")
    args = ap.parse_args()
    report = asyncio.run(evaluate(load_movies(Path(args.data), args.split, args.movies), args.with_ratings,
                                  args.sentiment))
    report.update(split=args.split, sentiment=args.sentiment)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:<40}{value}")


if __name__ == "__main__":
    main()
