"""Forms of the live session page, its settings and what comes after it. The space, the session and the
author never come from a form: the URL and the logged-in person give them. Lengths, ranges and whether
an id belongs to this session are checked by foro.services.live_sessions, which names the field in its
Spanish message; the forms only turn text into the types the service takes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from foro.blueprints.forums.forms import optional_id
from foro.forms import INVALID_CHOICE, MultiCheckboxField
from foro.models.live import POLL_OPTIONS_MAX

DECISIONS = ("approve", "dismiss", "answering", "answered")


def _crlf(value):
    # Browsers send line breaks as CRLF; the service counts and stores them as one character.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _OptionalIdSelect(SelectField):
    """A select whose empty value means none; the service checks that the id belongs to the session."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", optional_id)
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("invalid_value_message", INVALID_CHOICE)
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)


class PostForm(FlaskForm):
    """A button that only needs its CSRF token (upvote, close a poll, remove an agenda item)."""


class AttendForm(FlaskForm):
    attending = HiddenField(validators=[AnyOf(["yes", "no"], message=INVALID_CHOICE)])


class AskForm(FlaskForm):
    body = TextAreaField(
        _l("Tu pregunta"),
        validators=[InputRequired(message=_l("Escribe tu pregunta: es un campo obligatorio."))],
        filters=[_crlf],
    )
    item = _OptionalIdSelect(_l("Tema de la agenda (opcional)"))


class ModerateForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(DECISIONS, message=INVALID_CHOICE)])
    reason = StringField(_l("Motivo para descartarla"), filters=[_strip])
    summary = TextAreaField(_l("Resumen de la respuesta"), filters=[_crlf])


def _optional_position(value):
    """An agenda position (they start at 0, which optional_id refuses); empty means the next item."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 <= number < 10_000:
        raise ValueError(value)
    return number


class AdvanceForm(FlaskForm):
    position = _OptionalIdSelect(_l("Tema de la agenda"), coerce=_optional_position)


class PollForm(FlaskForm):
    question = StringField(
        _l("Pregunta de la encuesta"),
        validators=[InputRequired(message=_l("Escribe la pregunta de la encuesta."))],
        filters=[_strip],
    )
    options = FieldList(
        StringField(_l("Opción"), filters=[_strip]),
        min_entries=POLL_OPTIONS_MAX,
        max_entries=POLL_OPTIONS_MAX,
    )
    item = _OptionalIdSelect(_l("Tema de la agenda (opcional)"))

    def option_texts(self) -> list[str]:
        return [entry.data for entry in self.options if entry.data]


class PollVoteForm(FlaskForm):
    option = HiddenField(
        validators=[InputRequired(message=_l("Elige una opción de la encuesta."))],
    )

    def option_id(self) -> int | None:
        try:
            return optional_id(self.option.data)
        except ValueError:
            return None


class CommitmentForm(FlaskForm):
    body = TextAreaField(
        _l("Compromiso"),
        validators=[InputRequired(message=_l("Escribe el compromiso: es un campo obligatorio."))],
        filters=[_crlf],
    )
    organism = SelectField(
        _l("Organismo responsable"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[InputRequired(message=_l("Elige el organismo responsable."))],
        invalid_value_message=_l("Elige el organismo responsable."),
    )
    due_on = DateField(
        _l("Fecha límite"),
        validators=[InputRequired(message=_l("Indica la fecha límite del compromiso."))],
    )
    action = _OptionalIdSelect(_l("Acción del plan relacionada (opcional)"))


class SettingsForm(FlaskForm):
    stream_url = StringField(_l("Enlace de la transmisión (YouTube, Vimeo o Facebook)"), filters=[_strip])
    organism_ids = MultiCheckboxField(_l("Organismos que también rinden cuentas en esta sesión"))


class AgendaItemForm(FlaskForm):
    title = StringField(
        _l("Título del tema"),
        validators=[InputRequired(message=_l("Escribe el título del tema."))],
        filters=[_strip],
    )
    notes = TextAreaField(_l("Notas (opcional)"), filters=[_crlf])
    action = _OptionalIdSelect(_l("Acción del plan que se presenta (opcional)"))


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["-1", "1"], message=INVALID_CHOICE)])


class WrittenAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Respuesta del organismo"),
        validators=[InputRequired(message=_l("Escribe la respuesta: es un campo obligatorio."))],
        filters=[_crlf],
    )


_THREE_WAY = [SelectChoice(3, _l("Sí")), SelectChoice(2, _l("En parte")), SelectChoice(1, _l("No"))]
_USEFULNESS = [SelectChoice(n, str(n)) for n in range(1, 6)]


class SessionEvaluationForm(FlaskForm):
    information_clear = RadioField(
        _l("¿La información fue clara?"),
        choices=_THREE_WAY,
        coerce=int,
        validators=[InputRequired(message=_l("Responde si la información fue clara."))],
        invalid_value_message=_l("Responde si la información fue clara."),
        invalid_choice_message=_l("Responde si la información fue clara."),
    )
    questions_answered = RadioField(
        _l("¿Respondieron las preguntas?"),
        choices=_THREE_WAY,
        coerce=int,
        validators=[InputRequired(message=_l("Responde si las preguntas fueron respondidas."))],
        invalid_value_message=_l("Responde si las preguntas fueron respondidas."),
        invalid_choice_message=_l("Responde si las preguntas fueron respondidas."),
    )
    usefulness = RadioField(
        _l("¿Qué tan útil fue la sesión? (1 = nada, 5 = mucho)"),
        choices=_USEFULNESS,
        coerce=int,
        validators=[InputRequired(message=_l("Califica la utilidad de 1 a 5."))],
        invalid_value_message=_l("Califica la utilidad de 1 a 5."),
        invalid_choice_message=_l("Califica la utilidad de 1 a 5."),
    )
    comment = TextAreaField(_l("Comentario (opcional)"), filters=[_crlf])
