"""Forms of the moderation capability: a citizen's flag, a moderator's action on a post, a suspension and
the log's filters. They declare only what a person may send: ids of authors, moderators or spaces come
from the URL and the session, never from these fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from foro.forms import INVALID_CHOICE, labelled_choices
from foro.models import FlagReason, ModerationAction
from foro.models.moderation import REASON_MAX
from foro.services.moderation import POST_ACTIONS, SUSPENSION_DAYS_MAX, SUSPENSION_DAYS_MIN, LogFilters

UNKNOWN_ACTION = _l("Esa acción de moderación no existe.")
_REASON_LENGTH = Length(max=REASON_MAX, message=_l("El motivo admite hasta %(max)d caracteres."))


class FlagForm(FlaskForm):
    reason = RadioField(
        _l("¿Por qué reportas este aporte?"),
        choices=labelled_choices(FlagReason),
        coerce=FlagReason,
        validators=[InputRequired(message=_l("Elige el motivo del reporte."))],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    note = TextAreaField(
        _l("Comentario para el equipo de moderación (opcional)"),
        validators=[Optional(), Length(max=REASON_MAX, message=_l("El comentario admite hasta %(max)d caracteres."))],
    )


class ModerationForm(FlaskForm):
    """One action on one post: the pressed button names the action; each action reads only its own fields."""

    action = SelectField(
        _l("Acción"),
        choices=[SelectChoice(action.value, action.label) for action in POST_ACTIONS],
        coerce=ModerationAction,
        validators=[InputRequired(message=UNKNOWN_ACTION)],
        invalid_value_message=UNKNOWN_ACTION,
        invalid_choice_message=UNKNOWN_ACTION,
    )
    reason = TextAreaField(_l("Motivo (lo lee la persona autora)"), validators=[Optional(), _REASON_LENGTH])
    axis_id = IntegerField(_l("Mover al eje"), validators=[Optional()])
    duplicate_of_id = IntegerField(_l("Número del aporte original"), validators=[Optional()])
    # Where to go afterwards: the queue (default) or the post's thread.
    return_to = HiddenField()


class SuspendForm(FlaskForm):
    user_id = IntegerField(
        _l("Persona"),
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("Elige a la persona que suspendes."))],
    )
    days = IntegerField(
        _l("Días de suspensión"),
        validators=[
            InputRequired(message=_l("Escribe cuántos días dura la suspensión.")),
            NumberRange(
                min=SUSPENSION_DAYS_MIN,
                max=SUSPENSION_DAYS_MAX,
                message=_l("La suspensión dura entre %(min)s y %(max)s días."),
            ),
        ],
    )
    reason = TextAreaField(
        _l("Motivo de la suspensión (lo lee la persona)"),
        validators=[InputRequired(message=_l("Escribe el motivo de la suspensión.")), _REASON_LENGTH],
    )


class LogFilterForm(Form):
    """The log's GET filters. A space, moderator or action that is not an option is shown as "todos"."""

    espacio = SelectField(_l("Espacio"), validate_choice=False)
    moderador = SelectField(_l("Moderador/a"), validate_choice=False)
    accion = SelectField(_l("Acción"), validate_choice=False)
    desde = DateField(_l("Desde"), validators=[Optional()])
    hasta = DateField(_l("Hasta"), validators=[Optional()])

    def __init__(self, formdata, *, spaces, moderators):
        super().__init__(formdata)
        everything = [SelectChoice("", _l("Todos"))]
        self.espacio.choices = everything + [SelectChoice(str(space_id), title) for space_id, title in spaces]
        self.moderador.choices = everything + [SelectChoice(str(user.id), user.public_name) for user in moderators]
        self.accion.choices = everything + labelled_choices(ModerationAction)
        for choice_field in (self.espacio, self.moderador, self.accion):
            if choice_field.data not in {choice.value for choice in choice_field.choices}:
                choice_field.data = ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.desde.data and self.hasta.data and self.desde.data > self.hasta.data:
            self.hasta.errors = [_l("La fecha final debe ser igual o posterior a la inicial.")]
            return False
        return valid

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, as query-string arguments for links (pages, CSV export)."""
        values = {
            "espacio": self.espacio.data,
            "moderador": self.moderador.data,
            "accion": self.accion.data,
            "desde": self.desde.data.isoformat() if self.desde.data else None,
            "hasta": self.hasta.data.isoformat() if self.hasta.data else None,
        }
        return {name: value for name, value in values.items() if value}

    def to_filters(self) -> LogFilters:
        return LogFilters(
            space_id=int(self.espacio.data) if self.espacio.data else None,
            moderator_id=int(self.moderador.data) if self.moderador.data else None,
            action=ModerationAction(self.accion.data) if self.accion.data else None,
            since=self.desde.data,
            until=self.hasta.data,
        )
