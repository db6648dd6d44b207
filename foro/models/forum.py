"""Structured virtual forums: a space of kind forum, its guiding axes and its typed contributions.

A thread is a contribution (``ForumPost`` with ``thread_id`` NULL) and the replies under it (posts whose
``thread_id`` points at it). Causes and consequences hang under a problem, proposals answer one:
``parent_id`` builds that problem tree between contributions of the same forum.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import ContributionKind, FlagReason, ModerationMode, PostStatus
from foro.models.space import Space
from foro.models.user import User

# Indexes with a different form on each database (migration 0008), so not declared on the models; the
# migration drift test leaves them out (foro.search.include_in_autogenerate).
DIALECT_INDEXES = ("ix_forum_posts_heads_supports", "ix_forum_posts_tree")

TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 500


class Forum(Base):
    """The forum content of a space: topic, context, rules, moderation settings and the synthesis."""

    __tablename__ = "forums"
    __table_args__ = (CheckConstraint("flag_threshold BETWEEN 1 AND 50", name="flag_threshold_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), unique=True)
    topic: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Sanitised HTML (foro.sanitize): context with links to data and documents, and the rules.
    context: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        str_enum(ModerationMode, "moderation_mode"), default=ModerationMode.POST
    )
    # Distinct flags that hide a post until a moderator reviews it.
    flag_threshold: Mapped[int] = mapped_column(Integer, default=3)
    # The relatoría, sanitised HTML, published when the forum closes.
    synthesis: Mapped[str] = mapped_column(Text, default="")
    synthesis_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synthesis_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Grows by one in every transaction that changes what an anonymous visitor sees on the forum or
    # thread pages (foro.services.page_cache.bump_forum_revision): the cache key of those pages.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    space: Mapped[Space] = relationship()
    axes: Mapped[list["ForumAxis"]] = relationship(
        back_populates="forum", cascade="all, delete-orphan", order_by="ForumAxis.position"
    )


class ForumAxis(Base):
    """A guiding axis (eje) of a forum; contributions are filed under one."""

    __tablename__ = "forum_axes"
    __table_args__ = (UniqueConstraint("forum_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    forum: Mapped[Forum] = relationship(back_populates="axes")


class ForumPost(Base):
    """A contribution (thread head) or a reply. Counters change in SQL (``n = n + 1``), never in Python."""

    __tablename__ = "forum_posts"
    __table_args__ = (
        # Heads have a kind and an axis; replies have neither.
        CheckConstraint(
            "(thread_id IS NULL AND kind IS NOT NULL AND axis_id IS NOT NULL) OR "
            "(thread_id IS NOT NULL AND kind IS NULL AND parent_id IS NULL)",
            name="head_or_reply",
        ),
        CheckConstraint("supports_count >= 0 AND replies_count >= 0 AND flags_count >= 0", name="counters"),
        Index("ix_forum_posts_forum_heads", "forum_id", "thread_id", "status", "last_activity_at"),
        Index("ix_forum_posts_thread_created", "thread_id", "created_at"),
        Index("ix_forum_posts_parent", "parent_id"),
        Index("ix_forum_posts_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    axis_id: Mapped[int | None] = mapped_column(ForeignKey("forum_axes.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ContributionKind | None] = mapped_column(str_enum(ContributionKind, "contribution_kind"))
    # The problem a cause, consequence or proposal belongs to.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    # The post a reply quotes.
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    # Sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus, "post_status"), default=PostStatus.PUBLISHED)
    # Shown to the author when a moderator hides the post.
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    replies_count: Mapped[int] = mapped_column(Integer, default=0)
    flags_count: Mapped[int] = mapped_column(Integer, default=0)
    # Accent-free, stemmed words of title and body, maintained by foro.search for full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    forum: Mapped[Forum] = relationship()
    axis: Mapped[ForumAxis | None] = relationship()
    author: Mapped[User | None] = relationship()
    thread: Mapped["ForumPost | None"] = relationship(remote_side=[id], foreign_keys=[thread_id])
    parent: Mapped["ForumPost | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    quote: Mapped["ForumPost | None"] = relationship(remote_side=[id], foreign_keys=[quote_id])
    duplicate_of: Mapped["ForumPost | None"] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])

    @property
    def is_head(self) -> bool:
        return self.thread_id is None


class PostSupport(Base):
    """One support (apoyo) per person per contribution: the primary key is the rule."""

    __tablename__ = "post_supports"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


thread_follows = Table(
    "thread_follows",
    Base.metadata,
    Column("thread_id", ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PostFlag(Base):
    """A citizen's report of a post, one per person per post."""

    __tablename__ = "post_flags"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, "flag_reason"))
    note: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator reviews the post (approves, restores or hides it).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostRevision(Base):
    """A post as it was before an edit: the history moderators can read."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


synthesis_citations = Table(
    "synthesis_citations",
    Base.metadata,
    Column("forum_id", ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True),
)
