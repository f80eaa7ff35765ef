"""Controlled response generation: LM backends (transformers, DeepSpeed-MII, OpenAI-compatible) behind one
contract, and the `Generator` that applies the same decoding controls and filters on every backend.

Backends are imported lazily by the factory, so importing `generation` never imports torch, httpx or mii.
"""

from generation.backend import LMBackend
from generation.config import GenerationConfig
from generation.errors import (
    GenerationBusy,
    GenerationError,
    GenerationFailed,
    GenerationTimeout,
    GenerationUnavailable,
    InvalidGenerationRequest,
    UnsupportedModel,
)
from generation.factory import build_backend, build_generator
from generation.generator import Generator
from generation.types import Completion, GenerationRequest, SpeechLevel, StreamEvent

__all__ = [
    "Completion",
    "GenerationBusy",
    "GenerationConfig",
    "GenerationError",
    "GenerationFailed",
    "GenerationRequest",
    "GenerationTimeout",
    "GenerationUnavailable",
    "Generator",
    "InvalidGenerationRequest",
    "LMBackend",
    "SpeechLevel",
    "StreamEvent",
    "UnsupportedModel",
    "build_backend",
    "build_generator",
]
