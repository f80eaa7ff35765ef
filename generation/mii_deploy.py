"""Manage a persistent DeepSpeed-MII deployment: start it (`mii.serve`), stop it, and report its state.

`serve` refuses, before touching MII, a model whose architecture FastGen cannot run and a machine without
CUDA, each with a clear message. A deployment is found again by name through the score file MII writes
at `mii.serve` time (`mii.config.get_mii_config`); the state check connects to its gRPC port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generation.config import GenerationConfig
from generation.errors import GenerationUnavailable
from generation.mii_backend import check_architecture


@dataclass(frozen=True)
class DeploymentState:
    name: str
    running: bool
    detail: str


def serve(config: GenerationConfig, *, enable_restful_api: bool = False,
          restful_api_port: int | None = None) -> DeploymentState:
    """Start `config.model` as the deployment `config.mii` describes (deployment_name, tensor_parallel,
    replica_num, max_length, port), reading the model with `config.local_files_only`; MII's RESTful API too when
    `enable_restful_api` (on `restful_api_port`, None: MII's default)."""
    mc = config.mii
    model_type = check_architecture(config.model, local_files_only=config.local_files_only)
    import torch

    if not torch.cuda.is_available():
        raise GenerationUnavailable("DeepSpeed-MII needs CUDA GPUs and this machine has none")
    if torch.cuda.device_count() < mc.tensor_parallel:
        raise GenerationUnavailable(f"tensor_parallel={mc.tensor_parallel} needs {mc.tensor_parallel} GPUs; "
                                    f"{torch.cuda.device_count()} visible")
    import mii

    kwargs: dict[str, Any] = {"deployment_name": mc.deployment_name, "tensor_parallel": mc.tensor_parallel,
                              "replica_num": mc.replica_num, "port_number": mc.port, "max_length": mc.max_length,
                              "enable_restful_api": enable_restful_api}
    if restful_api_port is not None:
        kwargs["restful_api_port"] = restful_api_port
    mii.serve(config.model, **kwargs)
    rest = ""
    if enable_restful_api:
        rest = f", REST port {restful_api_port}" if restful_api_port is not None else ", REST API on MII's port"
    return DeploymentState(mc.deployment_name, True,
                           f"{config.model} ({model_type}) on {mc.tensor_parallel} GPU(s) x {mc.replica_num} "
                           f"replica(s), gRPC port {mc.port}{rest}")


def _config(deployment_name: str) -> Any:
    import mii

    try:
        return mii.config.get_mii_config(deployment_name)
    except Exception as exc:
        raise GenerationUnavailable(f"no DeepSpeed-MII deployment named {deployment_name!r} was started here") from exc


def status(deployment_name: str, *, timeout_s: float = 2.0) -> DeploymentState:
    try:
        config = _config(deployment_name)
    except (GenerationUnavailable, ImportError) as exc:
        return DeploymentState(deployment_name, False, str(exc))
    import grpc

    target = f"localhost:{config.port_number}"
    channel = grpc.insecure_channel(target)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout_s)
    except grpc.FutureTimeoutError:
        return DeploymentState(deployment_name, False, f"deployment {deployment_name!r} does not answer at {target}")
    finally:
        channel.close()
    model = config.model_conf.model_name_or_path
    return DeploymentState(deployment_name, True, f"deployment {deployment_name!r} ({model}) answers at {target}")


def stop(deployment_name: str) -> DeploymentState:
    import mii

    _config(deployment_name)
    mii.client(deployment_name).terminate_server()
    return DeploymentState(deployment_name, False, f"deployment {deployment_name!r} terminated")
