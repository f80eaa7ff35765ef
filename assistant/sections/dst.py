"""Settings section for the dst stage (placeholder until its owner fills it in)."""

from pydantic import BaseModel, ConfigDict


class DstSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
