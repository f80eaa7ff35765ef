"""Settings section `retrieval`: retrieval's own `retrieval.RetrievalConfig` (response sets, knowledge
collections, encoder, selector limits) plus the limits of the admin API that edits response sets.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from retrieval import RetrievalConfig


class RetrievalSettings(RetrievalConfig):
    model_config = ConfigDict(extra="forbid")

    admin_max_records: int = Field(500, ge=1, le=100_000)  # records per admin POST
    admin_page_max: int = Field(200, ge=1, le=10_000)
