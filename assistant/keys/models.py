"""Tables of the key store, on the conversation store's metadata (`assistant.store.models.Base`).

Migrations `0002_keys` and `0003_key_scopes` mirror these exactly. Only a SHA-256 of each key is stored: keys are
256-bit random secrets, so a fast hash is safe (no password stretching needed) and lets a request be looked up by
hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models import Base


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requests_per_minute: Mapped[int] = mapped_column(Integer)
    tokens_per_day: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Space-separated (see assistant.keys.scopes); the server default is the least privilege, for any writer
    # that leaves it out.
    scopes: Mapped[str] = mapped_column(String(200), server_default="chat")


class ApiUsageRow(Base):
    """One row per admitted request; token counts are filled in when the turn is done."""

    __tablename__ = "api_usage"
    __table_args__ = (
        Index("ix_api_usage_key_created", "key_id", "created_at"),
        Index("ix_api_usage_key_day", "key_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(32), ForeignKey("api_keys.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
