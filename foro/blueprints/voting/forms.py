"""Forms of concertation, the vote and the results. Author, call, counters and states are never read from a
form; the services check every id against the call of the URL."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from foro.blueprints.forums.forms import optional_id
from foro.forms import INVALID_CHOICE, MultiCheckboxField, grouped_territory_choices, labelled_choices
from foro.models import Stance
from foro.models.proposal import BODY_MAX, PROBLEM_MAX, REASON_MAX, TITLE_MAX


def _pesos(value):
    """People write "$ 25.000.000": keep the digits (the service refuses anything else)."""
    if not isinstance(value, str):
        return value
    return value.replace("$", "").replace(".", "").replace(" ", "").strip()


class ConcertForm(FlaskForm):
    original_ids = MultiCheckboxField(_l("Propuestas que se concertan"))
    title = StringField(
        _l("Título de la propuesta concertada"),
        validators=[
            InputRequired(message=_l("Escribe un título: es un campo obligatorio.")),
            Length(max=TITLE_MAX, message=_l("El título admite hasta %(max)d caracteres.")),
        ],
    )
    problem = TextAreaField(
        _l("Problema al que responde"),
        validators=[
            InputRequired(message=_l("Escribe el problema: es un campo obligatorio.")),
            Length(max=PROBLEM_MAX, message=_l("El problema admite hasta %(max)d caracteres.")),
        ],
    )
    description = TextAreaField(
        _l("Descripción"),
        validators=[
            InputRequired(message=_l("Describe la propuesta concertada: es un campo obligatorio.")),
            Length(max=BODY_MAX, message=_l("La descripción admite hasta %(max)d caracteres.")),
        ],
    )
    territory_id = SelectField(
        _l("Comuna o corregimiento"), coerce=optional_id, validate_choice=False, invalid_value_message=INVALID_CHOICE
    )
    estimated_cost = StringField(
        _l("Costo estimado (pesos)"),
        filters=[_pesos],
        validators=[
            InputRequired(message=_l("Escribe el costo estimado en pesos (0 si no tiene costo).")),
            Regexp(r"^[0-9]{1,13}$", message=_l("Escribe el costo en pesos enteros, solo con números.")),
        ],
    )
    target_group_ids = MultiCheckboxField(_l("Grupos de valor a los que se dirige"))

    def set_choices(self, originals, territories, groups) -> None:
        self.original_ids.choices = [SelectChoice(p.id, p.title) for p in originals]
        self.territory_id.choices = [SelectChoice("", _l("Toda la ciudad"))] + grouped_territory_choices(
            territories, value=str
        )
        self.target_group_ids.choices = [SelectChoice(g.id, g.name) for g in groups]


class StanceForm(FlaskForm):
    stance = RadioField(
        _l("Tu posición"),
        choices=labelled_choices(Stance),
        validators=[InputRequired(message=_l("Elige si respaldas u objetas la propuesta concertada."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    comment = TextAreaField(
        _l("Comentario público"),
        validators=[Optional(), Length(max=REASON_MAX, message=_l("El comentario admite hasta %(max)d caracteres."))],
    )


class VoteForm(FlaskForm):
    """The vote button of one proposal: ``action`` add|remove; ``pagina`` brings the voter back to their page."""

    action = HiddenField(validators=[AnyOf(["add", "remove"], message=INVALID_CHOICE)])
    pagina = HiddenField()


class PublishForm(FlaskForm):
    """A POST button with CSRF protection."""
