"""Quick dev scores of a bi-encoder alone, recorded in its manifest.

Contract: `dev_scores(model, root)` ranks the validation episode of `retrieval.evaldata` (index =
the split's stored questions, queries = held-out paraphrases, near-misses and out-of-domain
questions) by cosine only and reports paraphrase top-1 and how well the best cosine separates
paraphrases from the rest (ROC AUC). None of these texts is used for training (`splits`). Every text is
embedded with `prefix` in front (e5 models: "query: " on both sides of this symmetric task; "" for models
without a prefix convention).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.metrics import roc_auc_score

from retrieval.evaldata import Split, build_episode


def dev_scores(model: SentenceTransformer, root: Path, split: Split = "validation", *,
               prefix: str = "") -> dict[str, Any]:
    episode = build_episode(Path(root), split, index="pairs")
    if not episode.records or not episode.queries:
        return {}
    docs = model.encode([prefix + r.question for r in episode.records], batch_size=128, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
    queries = model.encode([prefix + q.text for q in episode.queries], batch_size=128, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    sims = queries @ docs.T
    best = sims.argmax(axis=1)
    answers = [r.answer for r in episode.records]
    is_para = np.array([q.group == "paraphrase" for q in episode.queries])
    right = np.array([q.gold is not None and answers[b] == q.gold for q, b in zip(episode.queries, best,
                                                                                    strict=True)])
    top = sims.max(axis=1)
    out: dict[str, Any] = {"split": f"{split}-pairs", "queries": len(episode.queries), "prefix": prefix,
                           "top1": round(float(right[is_para].mean()), 4)}
    if is_para.any() and (~is_para).any():
        out["retrieve_auc"] = round(float(roc_auc_score(is_para & right, top)), 4)
    return out
