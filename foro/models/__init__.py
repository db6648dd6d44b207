"""All models, imported here so that Alembic and the app see the whole schema."""

from foro.models.base import Base, UTCDateTime, utcnow
from foro.models.enums import (
    ActionStatus,
    AgeRange,
    Disability,
    EthnicGroup,
    Gender,
    OrganismKind,
    ParticipationLevel,
    Phase,
    Procedure,
    Role,
    SpaceKind,
    SpaceState,
    TerritoryKind,
)
from foro.models.planning import Action, ActionPlan, Cycle, CyclePhase
from foro.models.reference import Organism, TargetGroup, Territory
from foro.models.space import Space, SpaceTransition
from foro.models.user import Consent, User

__all__ = [
    "Action",
    "ActionPlan",
    "ActionStatus",
    "AgeRange",
    "Base",
    "Consent",
    "Cycle",
    "CyclePhase",
    "Disability",
    "EthnicGroup",
    "Gender",
    "Organism",
    "OrganismKind",
    "ParticipationLevel",
    "Phase",
    "Procedure",
    "Role",
    "Space",
    "SpaceKind",
    "SpaceState",
    "SpaceTransition",
    "TargetGroup",
    "Territory",
    "TerritoryKind",
    "UTCDateTime",
    "User",
    "utcnow",
]
