"""Reference data: territories, organisms and target groups (grupos de valor)."""

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from foro.models.base import Base, str_enum
from foro.models.enums import OrganismKind, TerritoryKind


class Territory(Base):
    """A comuna (urban) or corregimiento (rural) of the municipality."""

    __tablename__ = "territories"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TerritoryKind] = mapped_column(str_enum(TerritoryKind, "territory_kind"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))

    @property
    def display_name(self) -> str:
        if self.kind is TerritoryKind.CORREGIMIENTO:
            return f"{self.kind.label} {self.name}"
        return self.name

    def __repr__(self) -> str:
        return f"<Territory {self.kind} {self.number}>"


class Organism(Base):
    """A secretaría, departamento administrativo or unidad of the administration."""

    __tablename__ = "organisms"

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganismKind] = mapped_column(str_enum(OrganismKind, "organism_kind"))

    def __repr__(self) -> str:
        return f"<Organism {self.acronym}>"


class TargetGroup(Base):
    """A group of value (grupo de valor) that an action or a space addresses."""

    __tablename__ = "target_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
