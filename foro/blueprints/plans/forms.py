"""The action form. Limits and messages of the text fields come from the service's rules."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from foro.forms import MultiCheckboxField, grouped_territory_choices, labelled_choices
from foro.models import ActionStatus, Phase, Procedure, TargetGroup, Territory
from foro.services.plans import TEXT_RULES, ActionDetails


def _strip(value):
    # Browsers send line breaks as CRLF; counted as one character here, as the service stores them.
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class NumberField(DecimalField):
    """A decimal typed as digits; an empty box means "no value", and NaN or infinity are refused."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, places=None, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            number = Decimal(valuelist[0].strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.data = None
            raise ValueError(_l("Escribe un número usando solo dígitos y, si hace falta, un punto decimal."))
        self.data = number

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            # 300.00 from the database is shown as 300, and never in scientific notation.
            return format(self.data.normalize(), "f")
        return ""


def _text(name: str, label, *, textarea: bool = False):
    rule = TEXT_RULES[name]
    field_class = TextAreaField if textarea else StringField
    return field_class(
        label,
        validators=[
            DataRequired(message=rule.required_message),
            Length(max=rule.max_length, message=rule.too_long_message),
        ],
        filters=[_strip],
    )


class ActionForm(FlaskForm):
    procedure = RadioField(
        _l("Procedimiento"),
        choices=labelled_choices(Procedure),
        coerce=enum_coerce(Procedure),
        invalid_value_message=_l("Elige uno de los tres procedimientos."),
        invalid_choice_message=_l("Elige uno de los tres procedimientos."),
    )
    title = _text("title", _l("Título de la acción"))
    objective = _text("objective", _l("Objetivo"), textarea=True)
    goal = _text("goal", _l("Meta"), textarea=True)
    indicator_name = _text("indicator_name", _l("Nombre del indicador"))
    indicator_unit = _text("indicator_unit", _l("Unidad de medida"))
    indicator_baseline = NumberField(
        _l("Línea base"),
        validators=[InputRequired(message=_l("Escribe la línea base (puede ser 0)."))],
        default=Decimal(0),
    )
    indicator_target = NumberField(
        _l("Meta del indicador"), validators=[InputRequired(message=_l("Escribe el valor que se quiere alcanzar."))]
    )
    indicator_current = NumberField(_l("Valor actual medido"), validators=[Optional()])
    indicator_measured_on = DateField(_l("Fecha de la medición"), validators=[Optional()])
    budget = NumberField(
        _l("Presupuesto (pesos colombianos)"),
        validators=[InputRequired(message=_l("Escribe el presupuesto (puede ser 0)."))],
        default=Decimal(0),
    )
    responsible_office = _text("responsible_office", _l("Dependencia responsable"))
    phase = SelectField(
        _l("Fase del ciclo"),
        choices=labelled_choices(Phase),
        coerce=enum_coerce(Phase),
        invalid_value_message=_l("Elige una fase del ciclo."),
        invalid_choice_message=_l("Elige una fase del ciclo."),
    )
    starts_on = DateField(_l("Fecha de inicio"), validators=[Optional()])
    ends_on = DateField(_l("Fecha de finalización"), validators=[Optional()])
    status = SelectField(
        _l("Estado"),
        choices=labelled_choices(ActionStatus),
        coerce=enum_coerce(ActionStatus),
        default=ActionStatus.PLANNED,
        invalid_value_message=_l("Elige un estado de la lista."),
        invalid_choice_message=_l("Elige un estado de la lista."),
    )
    territory_ids = MultiCheckboxField(
        _l("Comunas y corregimientos"),
        validate_choice=True,
        invalid_value_message=_l("Alguna de las comunas o corregimientos no existe."),
        invalid_choice_message=_l("Alguna de las comunas o corregimientos no existe."),
    )
    target_group_ids = MultiCheckboxField(
        _l("Grupos de valor"),
        validate_choice=True,
        invalid_value_message=_l("Alguno de los grupos de valor no existe."),
        invalid_choice_message=_l("Alguno de los grupos de valor no existe."),
    )

    def set_choices(self, territories: list[Territory], groups: list[TargetGroup]) -> None:
        """Territories grouped comunas first, then corregimientos, as residents look for them."""
        self.territory_ids.choices = grouped_territory_choices(territories)
        self.target_group_ids.choices = [SelectChoice(value=g.id, label=g.name) for g in groups]

    def details(self) -> ActionDetails:
        """Plain values for the service, taken field by field: nothing else of the request gets through."""
        return ActionDetails(
            procedure=self.procedure.data,
            title=self.title.data,
            objective=self.objective.data,
            goal=self.goal.data,
            indicator_name=self.indicator_name.data,
            indicator_unit=self.indicator_unit.data,
            indicator_baseline=self.indicator_baseline.data,
            indicator_target=self.indicator_target.data,
            indicator_current=self.indicator_current.data,
            indicator_measured_on=self.indicator_measured_on.data,
            budget=self.budget.data,
            responsible_office=self.responsible_office.data,
            phase=self.phase.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            status=self.status.data,
            territory_ids=list(self.territory_ids.data or []),
            target_group_ids=list(self.target_group_ids.data or []),
        )
