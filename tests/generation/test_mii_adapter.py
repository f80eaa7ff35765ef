"""The DeepSpeed-MII adapter: parameters validated by MII's own config, architectures FastGen can run,
a clear readiness reason without a GPU, and generation through MII's real client (see mii_grpc_server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationConfig, GenerationRequest, InvalidGenerationRequest, UnsupportedModel
from generation.config import MIIBackendConfig
from generation.mii_backend import FASTGEN_ARCHITECTURES, MIIBackend, check_architecture, mii_generate_kwargs

mii = pytest.importorskip("mii")


def mii_section(model: str, **mii: Any) -> GenerationConfig:
    return GenerationConfig(backend="mii", model=model, mii=MIIBackendConfig(**mii))


def ask(text: str, **kw: Any) -> GenerationRequest:
    params: dict[str, Any] = {"temperature": 0.0, "max_new_tokens": 60, **kw}
    return GenerationRequest(messages=[{"role": "user", "content": text}], **params)


def test_sampling_parameters_map_onto_mii_names() -> None:
    kwargs = mii_generate_kwargs(GenerationRequest(messages=[{"role": "user", "content": "x"}], temperature=0.6,
                                                   top_p=0.8, top_k=40, stop=["\n\n", "끝"], max_new_tokens=100),
                                 prompt_length=10, max_length=1024, scalar_only=False)
    assert kwargs == {"max_length": 1024, "max_new_tokens": 100, "do_sample": True, "temperature": 0.6,
                      "top_p": 0.8, "top_k": 40, "stop": ["\n\n", "끝"]}
    params = mii.config.GenerateParamsConfig(prompt_length=10, **kwargs)
    assert params.max_new_tokens == 100 and params.do_sample and params.stop == ["\n\n", "끝"]


def test_greedy_request_sends_do_sample_false_and_no_temperature() -> None:
    kwargs = mii_generate_kwargs(ask("x"), prompt_length=5, max_length=64, scalar_only=True)
    assert kwargs == {"max_length": 64, "max_new_tokens": 59, "do_sample": False}


def test_grpc_mode_sends_one_scalar_stop_string() -> None:
    kwargs = mii_generate_kwargs(ask("x", stop=["끝", "다음"]), prompt_length=5, max_length=64, scalar_only=True)
    assert kwargs["stop"] == "끝"
    from mii.utils import kwarg_dict_to_proto

    kwarg_dict_to_proto(kwargs)  # MII's client serialiser accepts every value we send


def test_prompt_longer_than_the_deployment_is_refused() -> None:
    with pytest.raises(InvalidGenerationRequest, match="max_length"):
        mii_generate_kwargs(ask("x"), prompt_length=64, max_length=64, scalar_only=True)


def test_fastgen_architectures_are_documented() -> None:
    assert {"llama", "mistral", "mixtral", "qwen2", "phi", "falcon", "opt", "exaone4"} <= FASTGEN_ARCHITECTURES


def test_llama_model_passes_the_architecture_check(tiny_lm_path: Path) -> None:
    assert check_architecture(str(tiny_lm_path), local_files_only=True) == "llama"


def test_unsupported_architecture_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=10).save_pretrained(tmp_path)
    with pytest.raises(UnsupportedModel, match=r"gpt2.*not support"):
        check_architecture(str(tmp_path), local_files_only=True)
    backend = MIIBackend(mii_section(str(tmp_path), mode="pipeline"))
    backend.start()
    ready, reason = backend.status()
    assert not ready and "gpt2" in reason and "transformers or openai backend" in reason


def test_pipeline_without_a_gpu_reports_no_gpu(tiny_lm_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    backend = MIIBackend(mii_section(str(tiny_lm_path), mode="pipeline"))
    backend.start()
    ready, reason = backend.status()
    assert not ready and "needs a CUDA GPU" in reason


def test_client_without_a_deployment_reports_how_to_start_one(tiny_lm_path: Path) -> None:
    backend = MIIBackend(mii_section(str(tiny_lm_path), mode="client", deployment_name="no-such-deployment-xyz"))
    backend.start()
    ready, reason = backend.status()
    assert not ready and "no-such-deployment-xyz" in reason


async def test_client_passes_our_parameters_through_mii_validation(mii_server: Any, mii_backend: MIIBackend) -> None:
    done = await mii_backend.generate(ask("날씨 알려줘", stop=["산책", "좋은"]))
    assert done.text == SCRIPT["날씨 알려줘"].split("산책")[0]
    sent = mii_server.servicer.received[-1]
    assert sent["stop"] == "산책" and sent["do_sample"] is False and sent["max_new_tokens"] == 60
