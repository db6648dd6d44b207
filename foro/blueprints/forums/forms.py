"""Forms of the forum for citizens. Author, forum, status and counters are never read from a form;
the service checks every id (axis, problem, quoted post) against the forum of the URL."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from foro.forms import INVALID_CHOICE
from foro.models import ContributionKind
from foro.models.forum import BODY_MAX, TITLE_MAX
from foro.security import MAX_ID

_TITLE_LENGTH = Length(max=TITLE_MAX, message=_l("El título admite hasta %(max)d caracteres."))
_BODY_LENGTH = Length(max=BODY_MAX, message=_l("El texto admite hasta %(max)d caracteres."))
_BODY_REQUIRED = InputRequired(message=_l("Escribe el texto de tu aporte: es un campo obligatorio."))

# What each kind of contribution is for, so that the forum builds an analysis, not a list of petitions.
KIND_EXPLANATIONS = {
    ContributionKind.PROBLEM: _l("Una situación de la ciudad que afecta a las personas y que hay que entender."),
    ContributionKind.CAUSE: _l("Por qué ocurre un problema ya planteado en el foro."),
    ContributionKind.CONSEQUENCE: _l("Qué efectos tiene un problema ya planteado en el foro."),
    ContributionKind.PROPOSAL: _l("Una idea para resolver un problema; conviene indicar a cuál responde."),
    ContributionKind.QUESTION: _l("Algo que quieres preguntar a la administración o a las demás personas."),
    ContributionKind.OTHER: _l("Un dato, una experiencia u otro aporte al tema del foro."),
}


def optional_id(value):
    """A database id from a select, a hidden field or the query string; empty means none."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


class ContributionForm(FlaskForm):
    kind = RadioField(
        _l("Tipo de aporte"),
        choices=[SelectChoice(kind.value, f"{kind.label}: {KIND_EXPLANATIONS[kind]}") for kind in ContributionKind],
        validators=[InputRequired(message=_l("Elige el tipo de aporte."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    parent_id = SelectField(
        _l("Problema al que corresponde"),
        coerce=optional_id,
        validate_choice=False,
        invalid_value_message=INVALID_CHOICE,
    )
    axis_id = SelectField(_l("Eje"), coerce=optional_id, validate_choice=False, invalid_value_message=INVALID_CHOICE)
    title = StringField(
        _l("Título"),
        validators=[InputRequired(message=_l("Escribe un título: es un campo obligatorio.")), _TITLE_LENGTH],
    )
    body = TextAreaField(_l("Tu aporte"), validators=[_BODY_REQUIRED, _BODY_LENGTH])

    def set_choices(self, axes, problems) -> None:
        self.axis_id.choices = [SelectChoice(str(axis.id), axis.title) for axis in axes]
        titles = {axis.id: axis.title for axis in axes}
        self.parent_id.choices = [SelectChoice("", _l("Ninguno"))] + [
            SelectChoice(str(problem.id), problem.title, optgroup=titles.get(problem.axis_id)) for problem in problems
        ]


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Tu respuesta"), validators=[_BODY_REQUIRED, _BODY_LENGTH])
    quote_id = HiddenField()

    def validate_quote_id(self, quote_field):
        try:
            optional_id(quote_field.data)
        except ValueError:
            raise ValidationError(_l("La cita no es válida.")) from None

    @property
    def quote(self) -> int | None:
        return optional_id(self.quote_id.data)


class EditForm(FlaskForm):
    """Title only for contributions (the view removes it for replies)."""

    title = StringField(
        _l("Título"),
        validators=[InputRequired(message=_l("Escribe un título: es un campo obligatorio.")), _TITLE_LENGTH],
    )
    body = TextAreaField(_l("Texto"), validators=[_BODY_REQUIRED, _BODY_LENGTH])


class ToggleForm(FlaskForm):
    """A POST button that adds or removes (a support, a follow)."""

    action = HiddenField(validators=[AnyOf(["add", "remove"], message=INVALID_CHOICE)])
