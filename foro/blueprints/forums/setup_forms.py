"""Forms for opening and configuring a forum and for publishing its relatoría."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from foro.forms import INVALID_CHOICE, MultiCheckboxField, labelled_choices
from foro.models import ModerationMode
from foro.services.forum_setup import (
    CONTEXT_MAX,
    FLAG_THRESHOLD_MAX,
    FLAG_THRESHOLD_MIN,
    RULES_MAX,
    SYNTHESIS_MAX,
    TOPIC_MAX,
    ForumDetails,
    parse_axes,
)

_REQUIRED = _l("Este campo es obligatorio.")


class ForumSettingsForm(FlaskForm):
    """The forum's own settings. Dates, moderators and state belong to the space and are not read here."""

    topic = StringField(
        _l("Tema del foro"),
        validators=[
            InputRequired(message=_l("Escribe el tema del foro.")),
            Length(max=TOPIC_MAX, message=_l("El tema admite hasta %(max)d caracteres.")),
        ],
    )
    context = TextAreaField(
        _l("Contexto"),
        validators=[Length(max=CONTEXT_MAX, message=_l("El contexto admite hasta %(max)d caracteres."))],
    )
    axes = TextAreaField(
        _l("Ejes orientadores"),
        validators=[InputRequired(message=_l("Escribe al menos un eje."))],
    )
    rules = TextAreaField(
        _l("Reglas de participación"),
        validators=[Length(max=RULES_MAX, message=_l("Las reglas admiten hasta %(max)d caracteres."))],
    )
    moderation_mode = RadioField(
        _l("Moderación"),
        choices=labelled_choices(ModerationMode),
        coerce=ModerationMode,
        validators=[InputRequired(message=_l("Elige cómo se moderan los aportes."))],
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    flag_threshold = IntegerField(
        _l("Reportes que ocultan un aporte"),
        validators=[
            InputRequired(message=_REQUIRED),
            NumberRange(
                min=FLAG_THRESHOLD_MIN,
                max=FLAG_THRESHOLD_MAX,
                message=_l("El número de reportes debe estar entre %(min)s y %(max)s."),
            ),
        ],
    )

    def details(self) -> ForumDetails:
        return ForumDetails(
            topic=self.topic.data or "",
            context=self.context.data or "",
            rules=self.rules.data or "",
            moderation_mode=self.moderation_mode.data,
            flag_threshold=self.flag_threshold.data,
            axes=parse_axes(self.axes.data or ""),
        )


class SynthesisForm(FlaskForm):
    """The relatoría and the contributions it cites; the service checks that each one may be cited."""

    text = TextAreaField(
        _l("Relatoría"),
        validators=[
            InputRequired(message=_l("Escribe la relatoría: qué se dijo en el foro y qué se concluye.")),
            Length(max=SYNTHESIS_MAX, message=_l("La relatoría admite hasta %(max)d caracteres.")),
        ],
    )
    cited_post_ids = MultiCheckboxField(_l("Aportes que cita la relatoría"))

    def set_citable(self, posts, supports_label) -> None:
        """Offer ``posts`` (ordered by axis and kind), grouped as "axis · kind", labelled with their supports."""
        self.cited_post_ids.choices = [
            SelectChoice(
                str(post.id),
                f"{post.title} ({supports_label(post.supports_count)})",
                optgroup=f"{post.axis.title} · {post.kind.label}",
            )
            for post in posts
        ]
