"""Offline training of the project's own Korean models from the open data in `shared/data`.

Contract: `pairs` assembles training pairs and holds out everything the dev evaluation
(`retrieval.evaldata`) queries with, through one split definition (`splits`); `vocab` extends and trims
the base tokenizer; `encoder` fine-tunes a sentence-transformers bi-encoder; `verifier` trains a
cross-encoder near-miss verifier on hard negatives mined with BM25. Every trainer writes a plain
sentence-transformers / CrossEncoder directory plus `manifest.json`, loadable by hub id or path.
"""
