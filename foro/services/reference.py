"""Loading the reference data shipped with Foro (Cali's territories and organisms)."""

import csv
from importlib import resources

from sqlalchemy import select

from foro.extensions import db
from foro.models import Organism, OrganismKind, TargetGroup, Territory, TerritoryKind

DEFAULT_TARGET_GROUPS = (
    "Niñas, niños y adolescentes",
    "Jóvenes",
    "Mujeres",
    "Personas mayores",
    "Personas con discapacidad",
    "Comunidades negras, afrocolombianas, raizales y palenqueras",
    "Pueblos indígenas",
    "Población LGBTIQ+",
    "Víctimas del conflicto armado",
    "Población migrante",
    "Juntas de Acción Comunal y JAL",
    "Organizaciones sociales y comunitarias",
    "Sector empresarial",
    "Ciudadanía en general",
)


def _rows(filename: str) -> list[dict[str, str]]:
    with resources.files("foro.data").joinpath(filename).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_reference_data() -> None:
    """Insert the territories, organisms and target groups that are missing; never duplicates.

    Rows already present (by kind and number, by acronym, by name) are left as the admins edited them.
    """
    known_territories = set(db.session.execute(select(Territory.kind, Territory.number)).all())
    for row in _rows("territorios.csv"):
        key = (TerritoryKind(row["kind"]), int(row["number"]))
        if key not in known_territories:
            db.session.add(Territory(kind=key[0], number=key[1], name=row["name"]))

    known_acronyms = set(db.session.scalars(select(Organism.acronym)))
    for row in _rows("organismos.csv"):
        if row["acronym"] not in known_acronyms:
            db.session.add(Organism(acronym=row["acronym"], name=row["name"], kind=OrganismKind(row["kind"])))

    known_groups = set(db.session.scalars(select(TargetGroup.name)))
    for name in DEFAULT_TARGET_GROUPS:
        if name not in known_groups:
            db.session.add(TargetGroup(name=name))
    db.session.flush()
