"""Configuration of the generation package (a pydantic model the composition root embeds in its settings).

Defaults work offline: the default model id is not on disk here, so loading fails fast (local_files_only)
and the component reports why instead of blocking start-up. Validators refuse impossible values at start.

Every default is written here once: the components take these models (`TransformersBackend`, `MIIBackend`,
`Generator` and `mii_deploy.serve` a `GenerationConfig`, `OpenAIBackend` its `openai` section) rather than
repeating them as keyword defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

DEFAULT_MODEL = "naver-hyperclovax/HyperCLOVAX-SEED-Text-Instruct-0.5B"
# The package's defaults that other modules of it also use, written once here (this module imports nothing of the
# project): `GenerationRequest` and `ChatAssistantModel` default to the same decoding values as `DecodingDefaults`,
# `AbuseFilter` to the same threshold and the refusal to the same text as `GenerationConfig`.
DEFAULT_MAX_NEW_TOKENS = 256
DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.9
DEFAULT_REPETITION_PENALTY = 1.1
DEFAULT_ABUSE_THRESHOLD = 0.5
DEFAULT_REFUSAL = "죄송해요, 그 이야기는 도와드리기 어려워요."


class DecodingDefaults(BaseModel):
    """Decoding parameters used when a caller does not set them."""

    model_config = ConfigDict(extra="forbid")
    max_new_tokens: int = Field(DEFAULT_MAX_NEW_TOKENS, ge=1, le=32768)
    temperature: float = Field(DEFAULT_TEMPERATURE, ge=0.0, le=5.0)
    top_p: float = Field(DEFAULT_TOP_P, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=1)
    repetition_penalty: float = Field(DEFAULT_REPETITION_PENALTY, gt=0.0, le=10.0)


class OpenAIBackendConfig(BaseModel):
    """Any OpenAI-compatible server: DeepSpeed-MII's, vLLM, TGI."""

    model_config = ConfigDict(extra="forbid")
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: SecretStr = SecretStr("")
    model: str = ""  # empty: the configured `model`
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, le=20)
    backoff_s: float = Field(0.5, ge=0)
    breaker_failures: int = Field(5, ge=1)
    breaker_reset_s: float = Field(30.0, gt=0)
    send_extra_params: bool = True  # top_k / repetition_penalty: vLLM accepts them, strict servers may not


class MIIBackendConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["pipeline", "client"] = "client"
    deployment_name: str = "assistant-lm"
    host: str = "localhost"
    tensor_parallel: int = Field(1, ge=1, le=64)
    replica_num: int = Field(1, ge=1, le=64)
    max_length: int = Field(4096, ge=16)
    port: int = Field(50050, ge=1, le=65535)


class GenerationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    backend: Literal["transformers", "mii", "openai"] = "transformers"
    model: str = Field(DEFAULT_MODEL, min_length=1, description="hub id or local path")
    device: str = "auto"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    local_files_only: bool = True
    trust_remote_code: bool = False
    load_in_background: bool = True
    context_window: int | None = Field(None, ge=16)
    max_batch_size: int = Field(16, ge=1, le=256, description="requests decoding at once (continuous batching)")
    batch_wait_ms: float = Field(5.0, ge=0.0, le=1000.0,
                                 description="an idle batcher waits this long for more requests before it starts")
    max_queue: int = Field(64, ge=1, le=100_000)
    prefill_chunk_tokens: int = Field(256, ge=1, le=32768,
                                      description="prompt tokens read per row per step while others decode")
    prefix_cache_mb: float = Field(256.0, ge=0.0, le=1_048_576.0,
                                   description="KV memory for recurring prompt prefixes (personas); 0 disables")
    prefix_cache_min_tokens: int = Field(32, ge=1, le=1_000_000,
                                         description="shortest recurring prefix worth storing")
    defaults: DecodingDefaults = DecodingDefaults()
    max_regenerations: int = Field(2, ge=0, le=10)
    speech_regenerations: int = Field(1, ge=0, le=10)
    pii_mask_replies: bool = True
    profanity_list_path: Path | None = None
    abuse_classifier: str | None = Field(None, description="'module:callable' returning P(abusive) for a text")
    abuse_threshold: float = Field(DEFAULT_ABUSE_THRESHOLD, ge=0.0, le=1.0)
    default_refusal: str = Field(DEFAULT_REFUSAL, min_length=1, max_length=500)
    openai: OpenAIBackendConfig = OpenAIBackendConfig()
    mii: MIIBackendConfig = MIIBackendConfig()

    @model_validator(mode="after")
    def _check_paths(self) -> GenerationConfig:
        if self.profanity_list_path is not None and not self.profanity_list_path.is_file():
            raise ValueError(f"profanity_list_path {self.profanity_list_path} is not a file")
        if self.device not in {"auto", "cpu", "mps"} and not self.device.startswith("cuda"):
            raise ValueError(f"device must be auto, cpu, mps or cuda[:N], not {self.device!r}")
        return self
