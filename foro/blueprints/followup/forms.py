"""Forms of the follow-up of plan actions. The action, the author, the organism and the evaluator's
territory never come from a form: the URL and the logged-in person give them. Ranges and lengths are
checked by foro.services.followup, which names the field in its Spanish message."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import AnyOf, InputRequired

from foro.blueprints.plans.forms import NumberField
from foro.forms import INVALID_CHOICE, labelled_choices
from foro.models import ActionStatus
from foro.services.followup import ProgressDetails


def _crlf(value):
    # Browsers send line breaks as CRLF; the service counts and stores them as one character.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class ProgressUpdateForm(FlaskForm):
    reported_on = DateField(
        _l("Fecha del reporte"), validators=[InputRequired(message=_l("Indica la fecha del reporte."))]
    )
    indicator_value = NumberField(_l("Valor del indicador"))
    percent_done = IntegerField(
        _l("Porcentaje de avance"),
        validators=[InputRequired(message=_l("Escribe el porcentaje de avance, de 0 a 100."))],
    )
    status = SelectField(
        _l("Estado de la acción"),
        choices=labelled_choices(ActionStatus),
        coerce=enum_coerce(ActionStatus),
        invalid_value_message=_l("Elige un estado de la lista."),
        invalid_choice_message=_l("Elige un estado de la lista."),
    )
    body = TextAreaField(
        _l("Qué se hizo"),
        validators=[InputRequired(message=_l("Escribe el texto del reporte: es un campo obligatorio."))],
        filters=[_crlf],
    )
    evidence_links = TextAreaField(_l("Enlaces a las evidencias"), filters=[_crlf])

    def details(self) -> ProgressDetails:
        return ProgressDetails(
            reported_on=self.reported_on.data,
            indicator_value=self.indicator_value.data,
            percent_done=self.percent_done.data,
            status=self.status.data,
            body=self.body.data or "",
            evidence_links=self.evidence_links.data or "",
        )


_RATINGS = [SelectChoice(n, str(n)) for n in range(1, 6)]


class EvaluationForm(FlaskForm):
    fulfilment = RadioField(
        _l("Cumplimiento: ¿la acción hizo lo que prometía? (1 = nada, 5 = todo)"),
        choices=_RATINGS,
        coerce=int,
        validators=[InputRequired(message=_l("Califica el cumplimiento de 1 a 5."))],
        invalid_value_message=_l("Califica el cumplimiento de 1 a 5."),
        invalid_choice_message=_l("Califica el cumplimiento de 1 a 5."),
    )
    effect = RadioField(
        _l("Efecto: ¿mejoró algo para las personas? (1 = nada, 5 = mucho)"),
        choices=_RATINGS,
        coerce=int,
        validators=[InputRequired(message=_l("Califica el efecto de 1 a 5."))],
        invalid_value_message=_l("Califica el efecto de 1 a 5."),
        invalid_choice_message=_l("Califica el efecto de 1 a 5."),
    )
    comment = TextAreaField(_l("Comentario (opcional)"), filters=[_crlf])


class ObservationForm(FlaskForm):
    body = TextAreaField(
        _l("Qué observaste"),
        validators=[InputRequired(message=_l("Describe lo que observaste: es un campo obligatorio."))],
        filters=[_crlf],
    )
    evidence_links = TextAreaField(_l("Enlaces a las evidencias (opcional)"), filters=[_crlf])


class ObservationAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Respuesta del organismo"),
        validators=[InputRequired(message=_l("Escribe la respuesta: es un campo obligatorio."))],
        filters=[_crlf],
    )


class ToggleForm(FlaskForm):
    """The follow button: ``action`` add|remove."""

    action = HiddenField(validators=[AnyOf(["add", "remove"], message=INVALID_CHOICE)])
