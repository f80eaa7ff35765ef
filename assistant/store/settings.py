"""StoreSettings: the conversation store's database pool and SQLite wait, owned by the store and embedded by
`assistant.settings.Settings` as `store`. `LOCK_TIMEOUT_S` is the default wait for a conversation's lock
(configured as `limits.lock_timeout_s`, since it bounds a request, not the database)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LOCK_TIMEOUT_S = 30.0


class StoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_size: int = Field(10, ge=1, le=500)
    sqlite_busy_timeout_s: float = Field(30.0, gt=0, le=600)
    migrate_on_start: bool = True
