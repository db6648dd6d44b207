"""Accounts, roles and data-processing consent."""

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foro.models.base import Base, UTCDateTime, str_enum, utcnow
from foro.models.enums import AgeRange, Disability, EthnicGroup, Gender, Role
from foro.models.reference import Organism, Territory

DELETED_ACCOUNT_NAME = _l("Participante eliminado")


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised (NFKC, case-folded); NULL once the account is deleted so the address can register again.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.CITIZEN)
    # Only officials have one: the organism they act for.
    organism_id: Mapped[int | None] = mapped_column(ForeignKey("organisms.id", ondelete="SET NULL"), index=True)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    age_range: Mapped[AgeRange] = mapped_column(str_enum(AgeRange, "age_range"), default=AgeRange.UNDISCLOSED)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"), default=Gender.UNDISCLOSED)
    ethnic_group: Mapped[EthnicGroup] = mapped_column(
        str_enum(EthnicGroup, "ethnic_group"), default=EthnicGroup.UNDISCLOSED
    )
    disability: Mapped[Disability] = mapped_column(
        str_enum(Disability, "disability"), default=Disability.UNDISCLOSED
    )
    # Part of the id kept in the session cookie: changing it ends every session of this account.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organism: Mapped[Organism | None] = relationship(lazy="joined")
    territory: Mapped[Territory | None] = relationship(lazy="joined")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Consent.granted_at"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def public_name(self):
        return DELETED_ACCOUNT_NAME if self.is_deleted else self.display_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Consent(Base):
    """Prior, express and informed authorisation to process personal data (Ley 1581 de 2012)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    policy_version: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="consents")
