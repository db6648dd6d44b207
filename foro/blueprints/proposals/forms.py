"""Forms of calls for proposals. Author, call, status and counters are never read from a form; the
services check every id (territory, target group, forum contribution, merge target) against the call."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

from foro.blueprints.forums.forms import optional_id
from foro.blueprints.spaces.forms import DATETIME_FORMATS, LocalDateTimeField
from foro.errors import InvalidInput
from foro.forms import INVALID_CHOICE, MultiCheckboxField, grouped_territory_choices
from foro.models import VoteRule
from foro.models.proposal import BODY_MAX, ON_BEHALF_MAX, PROBLEM_MAX, TITLE_MAX
from foro.services.proposal_setup import MAX_VOTES_LIMIT, MONEY_LIMIT, WINNERS_LIMIT, CallDetails
from foro.services.proposals import (
    COMMENT_MAX,
    HIDE_REASON_MAX,
    MERGE_REASON_MAX,
    ProposalDetails,
    parse_pesos,
)
from foro.timeutil import local_to_utc

_REQUIRED = _l("Este campo es obligatorio.")
_WHOLE_CITY = _l("Toda la ciudad")

# What each vote rule means, for the settings form.
RULE_EXPLANATIONS = {
    VoteRule.SIMPLE: _l("Cada persona puede votar por todas las propuestas que quiera, un voto por propuesta."),
    VoteRule.LIMITED: _l("Cada persona tiene un número máximo de votos y los reparte entre las propuestas."),
    VoteRule.BUDGET: _l(
        "Cada persona elige propuestas cuyos costos estimados, sumados, no superen el presupuesto disponible."
    ),
}


class CallSettingsForm(FlaskForm):
    proposing_ends_at = LocalDateTimeField(
        _l("Cierre de la recepción de propuestas"), format=DATETIME_FORMATS, validators=[InputRequired(_REQUIRED)]
    )
    concertation_ends_at = LocalDateTimeField(
        _l("Cierre de la concertación (opcional)"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    voting_ends_at = LocalDateTimeField(
        _l("Cierre de la votación"), format=DATETIME_FORMATS, validators=[InputRequired(_REQUIRED)]
    )
    vote_rule = RadioField(
        _l("Cómo se vota"),
        choices=[SelectChoice(rule.value, f"{rule.label}: {RULE_EXPLANATIONS[rule]}") for rule in VoteRule],
        coerce=VoteRule,
        validators=[InputRequired(message=_l("Elige cómo se vota."))],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    max_votes = IntegerField(
        _l("Votos por persona (solo con votos limitados)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_VOTES_LIMIT, message=_l("Escribe un número entre %(min)s y %(max)s.")),
        ],
    )
    budget_cap = DecimalField(
        _l("Presupuesto disponible en pesos (solo con presupuesto participativo)"),
        places=0,
        validators=[
            Optional(),
            NumberRange(min=1, max=MONEY_LIMIT, message=_l("Escribe un valor en pesos mayor que cero.")),
        ],
    )
    winners_count = IntegerField(
        _l("Número de propuestas ganadoras (opcional)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=WINNERS_LIMIT, message=_l("Escribe un número entre %(min)s y %(max)s.")),
        ],
    )
    residents_only = BooleanField(_l("Solo votan quienes viven en las comunas o corregimientos del espacio"))
    live_totals = BooleanField(_l("Mostrar los totales mientras la votación está abierta"))

    def details(self) -> CallDetails:
        concertation = self.concertation_ends_at.data
        return CallDetails(
            proposing_ends_at=local_to_utc(self.proposing_ends_at.data),
            concertation_ends_at=local_to_utc(concertation) if concertation else None,
            voting_ends_at=local_to_utc(self.voting_ends_at.data),
            vote_rule=self.vote_rule.data,
            max_votes=self.max_votes.data,
            budget_cap=self.budget_cap.data,
            winners_count=self.winners_count.data,
            residents_only=self.residents_only.data,
            live_totals=self.live_totals.data,
        )


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Título"),
        validators=[
            InputRequired(message=_l("Escribe un título: es un campo obligatorio.")),
            Length(max=TITLE_MAX, message=_l("El título admite hasta %(max)d caracteres.")),
        ],
    )
    problem = TextAreaField(
        _l("El problema que resuelve"),
        validators=[
            InputRequired(message=_l("Cuenta qué problema resuelve tu propuesta: es un campo obligatorio.")),
            Length(max=PROBLEM_MAX, message=_l("El problema admite hasta %(max)d caracteres.")),
        ],
    )
    description = TextAreaField(
        _l("Tu propuesta"),
        validators=[
            InputRequired(message=_l("Describe tu propuesta: es un campo obligatorio.")),
            Length(max=BODY_MAX, message=_l("La descripción admite hasta %(max)d caracteres.")),
        ],
    )
    territory_id = SelectField(
        _l("Dónde"), coerce=optional_id, validate_choice=False, invalid_value_message=INVALID_CHOICE
    )
    estimated_cost = StringField(
        _l("Costo estimado en pesos"), validators=[InputRequired(message=_l("Escribe el costo estimado en pesos."))]
    )
    target_group_ids = MultiCheckboxField(_l("Grupos de valor a los que se dirige"))
    on_behalf_of = StringField(
        _l("En nombre de (opcional)"),
        validators=[Length(max=ON_BEHALF_MAX, message=_l("Este campo admite hasta %(max)d caracteres."))],
    )
    forum_post_id = HiddenField()

    def validate_estimated_cost(self, cost_field):
        try:
            parse_pesos(cost_field.data)
        except InvalidInput as error:
            raise ValidationError(error.message) from None

    def validate_forum_post_id(self, post_field):
        try:
            optional_id(post_field.data)
        except ValueError:
            raise ValidationError(_l("El aporte del foro no es válido.")) from None

    def set_choices(self, territories, target_groups) -> None:
        self.territory_id.choices = [SelectChoice("", _WHOLE_CITY)] + grouped_territory_choices(territories, str)
        self.target_group_ids.choices = [SelectChoice(str(group.id), group.name) for group in target_groups]

    def details(self) -> ProposalDetails:
        return ProposalDetails(
            title=self.title.data or "",
            problem=self.problem.data or "",
            description=self.description.data or "",
            estimated_cost=parse_pesos(self.estimated_cost.data),
            territory_id=self.territory_id.data,
            target_group_ids=list(self.target_group_ids.data or []),
            on_behalf_of=self.on_behalf_of.data or "",
            forum_post_id=optional_id(self.forum_post_id.data),
        )


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Tu comentario"),
        validators=[
            InputRequired(message=_l("Escribe tu comentario: es un campo obligatorio.")),
            Length(max=COMMENT_MAX, message=_l("El comentario admite hasta %(max)d caracteres.")),
        ],
    )


class InviteForm(FlaskForm):
    email = StringField(
        _l("Correo electrónico de la persona"),
        validators=[
            InputRequired(message=_l("Escribe el correo electrónico de la persona que quieres invitar.")),
            Length(max=254, message=_l("El correo admite hasta %(max)d caracteres.")),
        ],
    )


class ToggleForm(FlaskForm):
    """A POST button that adds or removes (a support, a follow)."""

    action = HiddenField(validators=[AnyOf(["add", "remove"], message=INVALID_CHOICE)])


class InvitationAnswerForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["accept", "decline"], message=INVALID_CHOICE)])


class MergeForm(FlaskForm):
    into = SelectField(
        _l("Unir a la propuesta"),
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired(message=_l("Elige la propuesta a la que se une."))],
        invalid_value_message=INVALID_CHOICE,
    )
    reason = TextAreaField(
        _l("Motivo"),
        validators=[
            InputRequired(message=_l("Explica por qué estas propuestas son duplicadas.")),
            Length(max=MERGE_REASON_MAX, message=_l("El motivo admite hasta %(max)d caracteres.")),
        ],
    )

    def set_choices(self, candidates) -> None:
        self.into.choices = [SelectChoice("", _l("Elige una propuesta"))] + [
            SelectChoice(str(p.id), p.title) for p in candidates
        ]


class ModerateForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["hide", "restore"], message=INVALID_CHOICE)])
    reason = TextAreaField(
        _l("Motivo (público)"),
        validators=[Length(max=HIDE_REASON_MAX, message=_l("El motivo admite hasta %(max)d caracteres."))],
    )
