"""Settings section for the personas stage (placeholder until its owner fills it in)."""

from pydantic import BaseModel, ConfigDict


class PersonasSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
