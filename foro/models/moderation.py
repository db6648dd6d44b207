"""Moderation records shared by every kind of space: the append-only log and suspensions."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import ModerationAction
from foro.models.user import User

REASON_MAX = 500


class ModerationLogEntry(Base):
    """Who did what, to what, when and why. Rows are only ever inserted."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_space_created", "space_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[ModerationAction] = mapped_column(str_enum(ModerationAction, "moderation_action"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    details: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])


class SpaceSuspension(Base):
    """A person may not contribute to a space until ``until``."""

    __tablename__ = "space_suspensions"
    __table_args__ = (Index("ix_space_suspensions_space_user", "space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
