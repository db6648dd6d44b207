"""The answer form: the decision, its public reason, and the plan action it joins or creates.

The action fields are read only for an accepting decision with "crear una acción nueva"; the service
(foro.services.plans) checks them and names the field of each error, which lands on the same-named
field here.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import DataRequired, Length

from foro.blueprints.plans.forms import NumberField
from foro.forms import INVALID_CHOICE, labelled_choices
from foro.models import AnswerDecision, Phase, Procedure
from foro.models.proposal import REASON_MAX
from foro.services.answers import AnswerDetails
from foro.services.plans import TEXT_RULES, ActionDetails

MODE_EXISTING = "existing"
MODE_NEW = "new"


def _strip(value):
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


def _optional_procedure(value):
    if value in (None, ""):
        return None
    return Procedure(value)


def _action_text(name: str, label, *, textarea: bool = False):
    # Only a length bound here: whether the field is needed depends on the decision (the service decides).
    rule = TEXT_RULES[name]
    field_class = TextAreaField if textarea else StringField
    return field_class(label, validators=[Length(max=rule.max_length, message=rule.too_long_message)], filters=[_strip])


class AnswerForm(FlaskForm):
    replaces_answer_id = HiddenField()
    decision = RadioField(
        _l("Decisión"),
        choices=labelled_choices(AnswerDecision),
        coerce=enum_coerce(AnswerDecision),
        validators=[DataRequired(message=_l("Elige una decisión: aceptada, aceptada en parte o no aceptada."))],
        invalid_value_message=_l("Elige una decisión: aceptada, aceptada en parte o no aceptada."),
        invalid_choice_message=_l("Elige una decisión: aceptada, aceptada en parte o no aceptada."),
    )
    reason = TextAreaField(
        _l("Razón pública de la respuesta"),
        validators=[
            DataRequired(
                message=_l("Escribe la razón de la respuesta: se publica para que la ciudadanía sepa por qué.")
            ),
            Length(max=REASON_MAX, message=_l("La razón admite hasta %(max)d caracteres.")),
        ],
        filters=[_strip],
    )
    action_mode = RadioField(
        _l("Acción del plan"),
        choices=[
            SelectChoice(MODE_EXISTING, _l("Sumarla a una acción que ya está en el plan de acción")),
            SelectChoice(MODE_NEW, _l("Crear una acción nueva en el plan de acción")),
        ],
        default=MODE_EXISTING,
        validate_choice=False,
    )
    action_id = SelectField(
        _l("Acción existente"), coerce=_optional_int, validate_choice=False, invalid_value_message=INVALID_CHOICE
    )
    title = _action_text("title", _l("Título de la acción"))
    procedure = SelectField(
        _l("Procedimiento"),
        choices=[SelectChoice("", _l("Elige un procedimiento")), *labelled_choices(Procedure)],
        coerce=_optional_procedure,
        validate_choice=False,
        invalid_value_message=_l("Elige uno de los tres procedimientos."),
    )
    objective = _action_text("objective", _l("Objetivo"), textarea=True)
    goal = _action_text("goal", _l("Meta"), textarea=True)
    indicator_name = _action_text("indicator_name", _l("Nombre del indicador"))
    indicator_unit = _action_text("indicator_unit", _l("Unidad de medida"))
    indicator_target = NumberField(_l("Meta del indicador"))
    budget = NumberField(_l("Presupuesto (pesos colombianos)"))
    responsible_office = _action_text("responsible_office", _l("Dependencia responsable"))

    def set_action_choices(self, actions) -> None:
        """The organism's actions of the call's vigencia, grouped by procedure."""
        self.action_id.choices = [SelectChoice("", _l("Elige una acción"))] + [
            SelectChoice(str(action.id), action.title, optgroup=str(action.procedure.label)) for action in actions
        ]

    def details(self) -> AnswerDetails:
        """Plain values for the service, field by field: nothing else of the request gets through."""
        new_action = None
        action_id = None
        if self.decision.data is not AnswerDecision.REJECTED:
            if self.action_mode.data == MODE_NEW:
                new_action = ActionDetails(
                    procedure=self.procedure.data,
                    title=self.title.data or "",
                    objective=self.objective.data or "",
                    goal=self.goal.data or "",
                    indicator_name=self.indicator_name.data or "",
                    indicator_unit=self.indicator_unit.data or "",
                    indicator_target=self.indicator_target.data,
                    budget=self.budget.data,
                    responsible_office=self.responsible_office.data or "",
                    phase=Phase.IMPLEMENTATION,
                )
            else:
                action_id = self.action_id.data
        replaces = self.replaces_answer_id.data
        return AnswerDetails(
            decision=self.decision.data,
            reason=self.reason.data or "",
            action_id=action_id,
            new_action=new_action,
            replaces_answer_id=int(replaces) if replaces and replaces.isdigit() else None,
        )
