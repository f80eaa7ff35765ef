"""Settings sections `auth` and `speaker` (speaker platforms authenticate by request signature, not by key).

Auth modes: `on` (every /v1 request needs a key), `off`, and `auto` (default): on unless `server.host` is a
loopback address. `off` on a non-loopback host is refused at start unless `allow_open_non_loopback` is set;
`check_exposure` does that check, since it needs the server section too.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AuthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["auto", "on", "off"] = "auto"
    allow_open_non_loopback: bool = Field(
        False, description="let auth be off on a non-loopback bind address (e.g. behind an authenticating proxy)"
    )
    default_requests_per_minute: int = Field(60, ge=1, le=1_000_000)
    default_tokens_per_day: int = Field(200_000, ge=1, le=10**12)


class ClovaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key_path: Path | None = Field(
        None, description="PEM public key of CLOVA; when set, the SignatureCEK header is required and checked"
    )
    application_ids: list[str] = Field(default_factory=list, description="accepted extension ids (empty: any)")

    @model_validator(mode="after")
    def _key_exists(self) -> ClovaSettings:
        if self.public_key_path is not None and not self.public_key_path.is_file():
            raise ValueError(f"speaker.clova.public_key_path: no such file {self.public_key_path}")
        return self


class AlexaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verify_signature: bool = False
    trusted_roots_path: Path | None = Field(None, description="PEM bundle of trusted roots (default: certifi's)")
    application_ids: list[str] = Field(default_factory=list, description="accepted skill ids (empty: any)")
    max_clock_skew_s: float = Field(150.0, gt=0, le=3600)
    cert_fetch_timeout_s: float = Field(5.0, gt=0, le=60, description="total time to download a signing chain")
    cert_cache_entries: int = Field(16, ge=1, le=1024, description="signing chains kept in memory, by URL")
    ssml: bool = Field(False, description="answer with SSML instead of PlainText")


class SpeakerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona: str | None = Field(None, max_length=64, description="persona for spoken turns (default persona)")
    max_sentence_chars: int = Field(200, ge=20, le=200)
    max_reply_chars: int = Field(300, ge=20, le=8000)
    utterance_slots: list[str] = Field(
        default_factory=lambda: ["query", "utterance", "text", "message", "any"],
        description="free-text slots carrying the whole utterance, tried in order",
    )
    reprompt: str = Field("더 궁금한 게 있으면 말씀해 주세요.", min_length=1, max_length=200)
    not_understood: str = Field("잘 못 들었어요. 다시 말씀해 주시겠어요?", min_length=1, max_length=200)
    goodbye: str = Field("다음에 또 불러 주세요.", min_length=1, max_length=200)
    unavailable: str = Field("지금은 대답하기 어려워요. 잠시 후에 다시 말씀해 주세요.", min_length=1, max_length=200)
    clova: ClovaSettings = ClovaSettings()
    alexa: AlexaSettings = AlexaSettings()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_required(auth: AuthSettings, host: str) -> bool:
    return auth.mode == "on" or (auth.mode == "auto" and not is_loopback(host))


def check_exposure(auth: AuthSettings, host: str) -> str | None:
    """A reason to refuse to start, or None: auth off on a non-loopback host without explicit permission."""
    if auth.mode == "off" and not is_loopback(host) and not auth.allow_open_non_loopback:
        return (f"auth.mode is 'off' but the server binds {host!r}, which is not loopback; turn auth on or set "
                "auth.allow_open_non_loopback: true")
    return None
