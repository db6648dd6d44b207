"""Forms of the admin capability. Each declares only the fields an admin may set: anything else posted
(an id, a role, an email) is never read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from foro.forms import labelled_choices
from foro.models import Cycle, Organism, OrganismKind, Phase, Role
from foro.services.administration import (
    ACRONYM_MAX,
    CYCLE_NAME_MAX,
    ORGANISM_NAME_MAX,
    SEARCH_MAX,
    TARGET_GROUP_NAME_MAX,
    TERRITORY_NAME_MAX,
    YEAR_MAX,
    YEAR_MIN,
    CycleDetails,
    OrganismDetails,
    phase_field,
)

REQUIRED = _l("Este campo es obligatorio.")
INVALID_CHOICE = _l("Elige una de las opciones de la lista.")


def _max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Este campo admite hasta %(n)s caracteres.", n=limit))


def _name_field(label, limit: int) -> StringField:
    return StringField(label, validators=[DataRequired(message=REQUIRED), _max_length(limit)])


def _enum_field(label, enum_cls) -> SelectField:
    """A select of the enum's members by code and Spanish label; its data is the member."""
    return SelectField(
        label,
        choices=labelled_choices(enum_cls),
        coerce=enum_coerce(enum_cls),
        validators=[InputRequired(message=INVALID_CHOICE)],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )


class OrganismForm(FlaskForm):
    acronym = StringField(_l("Sigla"), validators=[DataRequired(message=REQUIRED), _max_length(ACRONYM_MAX)])
    name = _name_field(_l("Nombre"), ORGANISM_NAME_MAX)
    kind = _enum_field(_l("Tipo de organismo"), OrganismKind)

    def details(self) -> OrganismDetails:
        return OrganismDetails(acronym=self.acronym.data, name=self.name.data, kind=self.kind.data)


class TerritoryForm(FlaskForm):
    name = _name_field(_l("Nombre"), TERRITORY_NAME_MAX)


class TargetGroupForm(FlaskForm):
    name = _name_field(_l("Nombre del grupo de valor"), TARGET_GROUP_NAME_MAX)


class CycleForm(FlaskForm):
    """Year and name, then a first and a last day per phase (fields added below, one pair per Phase)."""

    year = IntegerField(
        _l("Año"),
        validators=[
            InputRequired(message=_l("Escribe el año de la vigencia.")),
            NumberRange(
                min=YEAR_MIN,
                max=YEAR_MAX,
                message=_l("El año debe estar entre %(first)s y %(last)s.", first=YEAR_MIN, last=YEAR_MAX),
            ),
        ],
    )
    name = _name_field(_l("Nombre"), CYCLE_NAME_MAX)

    @classmethod
    def for_cycle(cls, cycle: Cycle) -> "CycleForm":
        data = {"year": cycle.year, "name": cycle.name}
        for row in cycle.phases:
            data[phase_field(row.phase, "starts_on")] = row.starts_on
            data[phase_field(row.phase, "ends_on")] = row.ends_on
        return cls(data=data)

    def phase_rows(self) -> list[tuple[Phase, object, object]]:
        """(phase, first-day field, last-day field) in the order of the cycle, for the template."""
        return [(phase, self[phase_field(phase, "starts_on")], self[phase_field(phase, "ends_on")]) for phase in Phase]

    def details(self) -> CycleDetails:
        return CycleDetails(
            year=self.year.data,
            name=self.name.data,
            phases={phase: (starts.data, ends.data) for phase, starts, ends in self.phase_rows()},
        )


for _phase in Phase:
    setattr(
        CycleForm,
        phase_field(_phase, "starts_on"),
        DateField(_l("%(phase)s: primer día", phase=_phase.label), validators=[InputRequired(message=REQUIRED)]),
    )
    setattr(
        CycleForm,
        phase_field(_phase, "ends_on"),
        DateField(_l("%(phase)s: último día", phase=_phase.label), validators=[InputRequired(message=REQUIRED)]),
    )


class UserSearchForm(FlaskForm):
    """The GET search box of the people list: no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    buscar = SearchField(_l("Buscar por nombre o correo"), validators=[Optional(), _max_length(SEARCH_MAX)])


def _optional_id(value):
    return int(value) if value not in (None, "") else None


class RoleForm(FlaskForm):
    """One per row of the people list, prefixed with the person's id so every label and id is unique."""

    role = _enum_field(_l("Rol"), Role)
    organism_id = SelectField(
        _l("Organismo"),
        coerce=_optional_id,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )

    @classmethod
    def for_user(cls, user_id: int, organisms: list[Organism], **kwargs) -> "RoleForm":
        form = cls(prefix=f"usuario-{user_id}", **kwargs)
        form.organism_id.choices = [SelectChoice(value="", label=_l("Ninguno"))] + [
            SelectChoice(value=str(organism.id), label=f"{organism.acronym} · {organism.name}")
            for organism in organisms
        ]
        return form
