"""Forms of the spaces capability: the envelope editor, the lifecycle move and the calendar filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from foro.forms import INVALID_CHOICE, MultiCheckboxField, grouped_territory_choices, labelled_choices
from foro.models import ParticipationLevel, Phase, SpaceKind, SpaceState
from foro.services.spaces import DESCRIPTION_MAX, LOCATION_MAX, RESPONSE_MAX, TITLE_MAX, CalendarFilters

# One line per rung of the plan's participation ladder (section 1), shown wherever a level is chosen or read.
LEVEL_EXPLANATIONS = {
    ParticipationLevel.INFORMATIVE: _l("La ciudadanía recibe información sobre el tema; no se le pide opinión."),
    ParticipationLevel.CONSULTATION: _l(
        "Se pide la opinión de la ciudadanía sobre un asunto, pero la decisión no se somete a votación."
    ),
    ParticipationLevel.INFORMATION_SUPPLY: _l(
        "La ciudadanía aporta datos o ideas (por ejemplo, respondiendo encuestas), sin incidir en la decisión."
    ),
    ParticipationLevel.INCENTIVES: _l(
        "La ciudadanía participa a cambio de un beneficio (materiales, alimentos, vinculación laboral)."
    ),
    ParticipationLevel.FUNCTIONAL: _l(
        "La ciudadanía participa para cumplir actividades concretas, como construir un parque o limpiar un río."
    ),
    ParticipationLevel.INTERACTIVE: _l(
        "La ciudadanía dialoga de igual a igual con la administración para resolver los problemas del territorio."
    ),
    ParticipationLevel.SELF_DEVELOPMENT: _l(
        "Las comunidades organizadas diagnostican, formulan, ejecutan y evalúan; la administración las acompaña."
    ),
}

# The button that makes each move, named after what the person is doing.
MOVE_LABELS = {
    SpaceState.ANNOUNCED: _l("Publicar la convocatoria"),
    SpaceState.OPEN: _l("Abrir el espacio a la participación"),
    SpaceState.CLOSED: _l("Cerrar el espacio"),
    SpaceState.RESULTS_PUBLISHED: _l("Publicar los resultados"),
    SpaceState.RESPONSE_GIVEN: _l("Publicar la respuesta institucional"),
}

# What browsers send for datetime-local: minutes, or seconds when the input has a step.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
_REQUIRED = _l("Este campo es obligatorio.")


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


class LocalDateTimeField(DateTimeLocalField):
    """A ``datetime-local`` input read as Cali wall-clock time, with a plain Spanish parse error."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Escribe la fecha y la hora completas, por ejemplo 2026-11-03 14:30.")) from error


class SpaceForm(FlaskForm):
    """The envelope of a space. Organism, state and author are never read from the form."""

    kind = SelectField(
        _l("Tipo de espacio"),
        choices=labelled_choices(SpaceKind),
        coerce=SpaceKind,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    title = StringField(
        _l("Título"),
        validators=[
            InputRequired(message=_REQUIRED),
            Length(max=TITLE_MAX, message=_l("El título admite hasta %(max)d caracteres.")),
        ],
    )
    description = TextAreaField(
        _l("Descripción"),
        validators=[Length(max=DESCRIPTION_MAX, message=_l("La descripción admite hasta %(max)d caracteres."))],
    )
    # The service checks that cycle and action exist and belong together; its message names the field.
    cycle_id = SelectField(
        _l("Vigencia"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Elige la vigencia."))],
        invalid_value_message=INVALID_CHOICE,
    )
    phase = SelectField(
        _l("Fase del ciclo"),
        choices=labelled_choices(Phase),
        coerce=Phase,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    participation_level = RadioField(
        _l("Nivel de participación"),
        choices=[
            SelectChoice(level.value, f"{level.label}. {LEVEL_EXPLANATIONS[level]}") for level in ParticipationLevel
        ],
        coerce=ParticipationLevel,
        validators=[InputRequired(message=_l("Elige el nivel de participación."))],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    action_id = SelectField(
        _l("Acción del plan que atiende (opcional)"),
        coerce=_optional_int,
        validate_choice=False,
        invalid_value_message=INVALID_CHOICE,
    )
    opens_at = LocalDateTimeField(_l("Abre"), format=DATETIME_FORMATS, validators=[InputRequired(message=_REQUIRED)])
    closes_at = LocalDateTimeField(_l("Cierra"), format=DATETIME_FORMATS, validators=[InputRequired(message=_REQUIRED)])
    location = StringField(
        _l("Lugar"),
        validators=[Length(max=LOCATION_MAX, message=_l("El lugar admite hasta %(max)d caracteres."))],
    )
    response_business_days = IntegerField(
        _l("Plazo de la respuesta institucional (días hábiles)"),
        validators=[
            InputRequired(message=_REQUIRED),
            NumberRange(min=1, max=120, message=_l("El plazo debe estar entre %(min)s y %(max)s días hábiles.")),
        ],
    )
    territory_ids = MultiCheckboxField(_l("Comunas y corregimientos"))
    target_group_ids = MultiCheckboxField(_l("Grupos de valor"))
    moderator_ids = MultiCheckboxField(_l("Personas que moderan"))

    def set_choices(self, *, cycles, actions, territories, target_groups, moderators) -> None:
        self.cycle_id.choices = [SelectChoice(str(cycle.id), cycle.name) for cycle in cycles]
        self.action_id.choices = [SelectChoice("", _l("Ninguna"))] + [
            SelectChoice(str(action.id), action.title, optgroup=action.plan.cycle.name) for action in actions
        ]
        self.territory_ids.choices = grouped_territory_choices(territories, str)
        self.target_group_ids.choices = [SelectChoice(str(group.id), group.name) for group in target_groups]
        self.moderator_ids.choices = [
            SelectChoice(str(user.id), f"{user.display_name} ({user.role.label})") for user in moderators
        ]


class StateChangeForm(FlaskForm):
    """One move of the lifecycle; response and actions are only read when the move is to "response given"."""

    target = HiddenField()
    response = TextAreaField(
        _l("Respuesta institucional"),
        validators=[Length(max=RESPONSE_MAX, message=_l("La respuesta admite hasta %(max)d caracteres."))],
    )
    note = TextAreaField(
        _l("Nota sobre el cambio (opcional)"),
        validators=[Optional(), Length(max=500, message=_l("La nota admite hasta %(max)d caracteres."))],
    )
    # Read with the response too; the service checks that each action is in the organism's plans.
    action_ids = MultiCheckboxField(_l("Acciones del plan que recogen estos aportes"))

    def set_action_choices(self, actions) -> None:
        self.action_ids.choices = [SelectChoice(str(action.id), action.title) for action in actions]


class CalendarFilterForm(Form):
    """The calendar's GET filters. A value that is not one of the options is dropped and shown as "todos"."""

    organismo = SelectField(_l("Organismo"), validate_choice=False)
    fase = SelectField(_l("Fase"), validate_choice=False)
    territorio = SelectField(_l("Comuna o corregimiento"), validate_choice=False)
    tipo = SelectField(_l("Tipo de espacio"), validate_choice=False)
    estado = SelectField(_l("Estado"), validate_choice=False)

    def __init__(self, formdata, *, organisms, territories):
        super().__init__(formdata)
        everything = [SelectChoice("", _l("Todos"))]
        self.organismo.choices = everything + [SelectChoice(org.acronym, org.name) for org in organisms]
        self.fase.choices = everything + labelled_choices(Phase)
        self.territorio.choices = everything + grouped_territory_choices(territories, str)
        self.tipo.choices = everything + labelled_choices(SpaceKind)
        # Drafts are never public, so they are not a choice here.
        self.estado.choices = everything + labelled_choices(SpaceState, leave_out={SpaceState.DRAFT})
        for choice_field in self:
            if choice_field.data not in {choice.value for choice in choice_field.choices}:
                choice_field.data = ""
        self._organism_ids = {org.acronym: org.id for org in organisms}

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, as query-string arguments for links (pages, iCalendar)."""
        return {choice_field.name: choice_field.data for choice_field in self if choice_field.data}

    def to_filters(self) -> CalendarFilters:
        return CalendarFilters(
            organism_id=self._organism_ids.get(self.organismo.data),
            phase=Phase(self.fase.data) if self.fase.data else None,
            territory_id=int(self.territorio.data) if self.territorio.data else None,
            kind=SpaceKind(self.tipo.data) if self.tipo.data else None,
            state=SpaceState(self.estado.data) if self.estado.data else None,
        )
