"""Settings section for the retrieval stage (placeholder until its owner fills it in)."""

from pydantic import BaseModel, ConfigDict


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
