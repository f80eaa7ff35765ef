"""Settings section for the generation stage (placeholder until its owner fills it in)."""

from pydantic import BaseModel, ConfigDict


class GenerationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
