"""Forms of the accounts capability; limits come from foro.services.accounts so both agree."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from foro.extensions import db
from foro.forms import INVALID_CHOICE, grouped_territory_choices, labelled_choices
from foro.models import AgeRange, Disability, EthnicGroup, Gender, Territory
from foro.sanitize import is_blank
from foro.services.accounts import DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, Profile

REQUIRED = _l("Este campo es obligatorio.")
# Length fills in %(min)d and %(max)d.
PASSWORD_LENGTH = _l("La contraseña debe tener entre %(min)d y %(max)d caracteres.")


class NotBlank:
    """Required, where text made only of spaces or zero-width characters counts as empty."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        if is_blank(field.data):
            raise ValidationError(REQUIRED)


def _new_password_validators() -> list:
    return [DataRequired(message=REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=PASSWORD_LENGTH)]


def _territory_or_none(value) -> int | None:
    return int(value) if value not in (None, "") else None


def _enum_select(enum_cls, label) -> SelectField:
    # The first member of every profile enum is UNDISCLOSED ("Prefiero no responder"): the default.
    return SelectField(
        label,
        coerce=enum_cls,
        choices=labelled_choices(enum_cls),
        default=enum_cls.UNDISCLOSED,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )


def territory_choices() -> list[SelectChoice]:
    """Every comuna, then every corregimiento, after an empty "Prefiero no decir" option."""
    territories = db.session.scalars(select(Territory)).all()
    return [SelectChoice(value="", label=_l("Prefiero no decir"))] + grouped_territory_choices(territories, str)


class ProfileForm(FlaskForm):
    """Display name and the optional, self-declared characterisation (registration and account page)."""

    display_name = StringField(
        _l("Nombre con el que quieres aparecer"),
        validators=[
            NotBlank(),
            Length(max=DISPLAY_NAME_MAX, message=_l("El nombre admite hasta %(max)d caracteres.")),
        ],
    )
    territory_id = SelectField(
        _l("Comuna o corregimiento donde vives"),
        coerce=_territory_or_none,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
    )
    age_range = _enum_select(AgeRange, _l("Rango de edad"))
    gender = _enum_select(Gender, _l("Género"))
    ethnic_group = _enum_select(EthnicGroup, _l("Autorreconocimiento étnico"))
    disability = _enum_select(Disability, _l("¿Tienes alguna discapacidad?"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory_id.choices = territory_choices()

    def profile(self) -> Profile:
        return Profile(
            territory_id=self.territory_id.data,
            age_range=self.age_range.data,
            gender=self.gender.data,
            ethnic_group=self.ethnic_group.data,
            disability=self.disability.data,
        )


class RegistrationForm(ProfileForm):
    email = EmailField(
        _l("Correo electrónico"),
        validators=[
            DataRequired(message=REQUIRED),
            Length(max=EMAIL_MAX, message=_l("El correo admite hasta %(max)d caracteres.")),
            Email(message=_l("Escribe un correo electrónico válido.")),
        ],
    )
    password = PasswordField(
        _l("Contraseña"),
        validators=_new_password_validators(),
    )
    password_confirmation = PasswordField(
        _l("Repite la contraseña"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=_l("Las contraseñas no coinciden."))],
    )
    consent = BooleanField(
        _l(
            "Autorizo a la Alcaldía de Santiago de Cali a tratar mis datos personales según la política de "
            "tratamiento."
        ),
        validators=[
            DataRequired(message=_l("Para crear la cuenta debes autorizar el tratamiento de tus datos personales."))
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Correo electrónico"), validators=[DataRequired(message=REQUIRED)])
    password = PasswordField(_l("Contraseña"), validators=[DataRequired(message=REQUIRED)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Contraseña actual"), validators=[DataRequired(message=REQUIRED)])
    new_password = PasswordField(
        _l("Contraseña nueva"),
        validators=_new_password_validators(),
    )
    new_password_confirmation = PasswordField(
        _l("Repite la contraseña nueva"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("new_password", message=_l("Las contraseñas no coinciden.")),
        ],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Tu contraseña"), validators=[DataRequired(message=REQUIRED)])
    confirm = BooleanField(
        _l("Entiendo que mis datos personales se borrarán y que esto no se puede deshacer."),
        validators=[DataRequired(message=_l("Marca la casilla para confirmar que quieres eliminar tu cuenta."))],
    )
