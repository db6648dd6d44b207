"""Accounts: registration with consent, authentication, profile, data export, deletion and roles."""

import unicodedata
from dataclasses import dataclass
from importlib import resources

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from foro import permissions
from foro.errors import Conflict, InvalidInput, NotAllowed
from foro.extensions import db
from foro.models import (
    AgeRange,
    Consent,
    Disability,
    EthnicGroup,
    Gender,
    Organism,
    Role,
    Territory,
    User,
)
from foro.models.user import new_session_token
from foro.sanitize import is_blank, normalise_plain_text
from foro.services.data_export import contributions_of
from foro.services.page_cache import bump_call_revision, bump_forum_revision
from foro.timeutil import now_utc

PASSWORD_MIN = 8
PASSWORD_MAX = 200
DISPLAY_NAME_MAX = 80
EMAIL_MAX = 254
PASSWORD_METHOD = "scrypt"
# Checked against when nobody matches an email, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("foro-dummy-password", method=PASSWORD_METHOD)


def normalise_email(email: str) -> str:
    """Case- and Unicode-normalisation-insensitive form of an address, as stored and looked up."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def _common_passwords() -> frozenset[str]:
    cache = current_app.extensions.setdefault("foro_common_passwords", None)
    if cache is None:
        text = resources.files("foro.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
        cache = frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())
        current_app.extensions["foro_common_passwords"] = cache
    return cache


def check_password_rules(password: str, email: str = "") -> None:
    """Raise InvalidInput unless ``password`` is long enough and not a common or obvious one."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(_l("La contraseña debe tener al menos %(n)s caracteres.", n=PASSWORD_MIN), field="password")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(_l("La contraseña admite hasta %(n)s caracteres.", n=PASSWORD_MAX), field="password")
    lowered = password.casefold()
    local_part = normalise_email(email).split("@")[0]
    if lowered in _common_passwords() or (local_part and lowered == local_part) or len(set(password)) < 4:
        raise InvalidInput(
            _l("Esa contraseña es demasiado común o fácil de adivinar. Elige otra."), field="password"
        )


def _clean_display_name(name: str) -> str:
    name = normalise_plain_text(name or "")
    if is_blank(name):
        raise InvalidInput(_l("Escribe el nombre con el que quieres aparecer."), field="display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(
            _l("El nombre admite hasta %(n)s caracteres.", n=DISPLAY_NAME_MAX), field="display_name"
        )
    return name


@dataclass
class Profile:
    """The optional, self-declared characterisation of a person."""

    territory_id: int | None = None
    age_range: AgeRange = AgeRange.UNDISCLOSED
    gender: Gender = Gender.UNDISCLOSED
    ethnic_group: EthnicGroup = EthnicGroup.UNDISCLOSED
    disability: Disability = Disability.UNDISCLOSED


def _apply_profile(user: User, profile: Profile) -> None:
    if profile.territory_id is not None and db.session.get(Territory, profile.territory_id) is None:
        raise InvalidInput(_l("La comuna o corregimiento elegido no existe."), field="territory_id")
    user.territory_id = profile.territory_id
    user.age_range = profile.age_range
    user.gender = profile.gender
    user.ethnic_group = profile.ethnic_group
    user.disability = profile.disability


def register_user(
    *,
    email: str,
    password: str,
    display_name: str,
    consent_channel: str = "web",
    consented: bool = True,
    profile: Profile | None = None,
) -> User:
    """Create a citizen account and record the consent to the data-processing policy.

    Consent is required (Ley 1581 de 2012) and stored with the policy version, UTC time and channel.
    Raises InvalidInput, or Conflict when the email is taken (also when two registrations race).
    """
    if not consented:
        raise InvalidInput(
            _l("Para crear la cuenta debes autorizar el tratamiento de tus datos personales."), field="consent"
        )
    normalised = normalise_email(email)
    if not normalised or "@" not in normalised or len(normalised) > EMAIL_MAX:
        raise InvalidInput(_l("Escribe un correo electrónico válido."), field="email")
    check_password_rules(password, normalised)
    user = User(
        email=normalised,
        password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
        display_name=_clean_display_name(display_name),
        role=Role.CITIZEN,
    )
    _apply_profile(user, profile or Profile())
    user.consents.append(
        Consent(policy_version=current_app.config["PRIVACY_POLICY_VERSION"], channel=consent_channel)
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _l("Ya existe una cuenta con ese correo. Inicia sesión o recupera tu contraseña."), field="email"
        ) from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; both failures look the same."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.password_hash is None or user.is_deleted:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie issued for ``user`` (see foro.blueprints.accounts.auth)."""
    user.session_token = new_session_token()


def update_profile(user: User, *, display_name: str, profile: Profile) -> User:
    """Change the display name and the optional, self-declared profile. Raises InvalidInput."""
    name = _clean_display_name(display_name)
    renamed = name != user.display_name
    user.display_name = name
    _apply_profile(user, profile)
    db.session.flush()
    if renamed:
        # Names are shown next to posts and proposals wherever the person wrote: all forums and calls, a
        # rare write.
        bump_forum_revision(every_forum=True)
        bump_call_revision(every_call=True)
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Change the password and end every other session. Raises InvalidInput."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current_password or ""):
        raise InvalidInput(_l("La contraseña actual no es correcta."), field="current_password")
    try:
        check_password_rules(new_password, user.email or "")
    except InvalidInput as error:
        error.field = "new_password"
        raise
    user.password_hash = generate_password_hash(new_password, method=PASSWORD_METHOD)
    end_all_sessions(user)
    db.session.flush()


def export_user_data(user: User) -> dict:
    """Every record about ``user`` and nothing about anyone else (Ley 1581: right of access): the
    account, the profile, the consents and, from foro.services.data_export, every contribution."""
    return {
        "cuenta": {
            "id": user.id,
            "correo": user.email,
            "nombre_visible": user.display_name,
            "rol": user.role.value,
            "organismo": user.organism.acronym if user.organism else None,
            "creada_en": user.created_at.isoformat(),
        },
        "perfil": {
            "territorio": user.territory.display_name if user.territory else None,
            "rango_de_edad": user.age_range.value,
            "genero": user.gender.value,
            "autorreconocimiento_etnico": user.ethnic_group.value,
            "discapacidad": user.disability.value,
        },
        "autorizaciones_de_tratamiento": [
            {"version_politica": c.policy_version, "canal": c.channel, "otorgada_en": c.granted_at.isoformat()}
            for c in user.consents
        ],
        **contributions_of(user),
    }


def delete_account(user: User, *, password: str) -> None:
    """Erase the person's data and end their sessions; contributions stay as "Participante eliminado".

    The email is released so the same address can register again. Raises InvalidInput on a wrong password.
    """
    if user.password_hash is None or not check_password_hash(user.password_hash, password or ""):
        raise InvalidInput(_l("La contraseña no es correcta."), field="password")
    user.email = None
    user.password_hash = None
    user.display_name = None
    user.territory_id = None
    user.organism_id = None
    user.role = Role.CITIZEN
    user.age_range = AgeRange.UNDISCLOSED
    user.gender = Gender.UNDISCLOSED
    user.ethnic_group = EthnicGroup.UNDISCLOSED
    user.disability = Disability.UNDISCLOSED
    user.deleted_at = now_utc()
    end_all_sessions(user)
    db.session.flush()
    # Their posts and proposals now read "Participante eliminado": all forums and calls (rather than
    # finding where they wrote).
    bump_forum_revision(every_forum=True)
    bump_call_revision(every_call=True)


def grant_role(actor: User, target: User, role: Role, organism: Organism | None = None) -> User:
    """Give ``target`` a role; officials act for exactly one organism. Raises NotAllowed."""
    if not permissions.can_grant_role(actor, target, role, organism):
        if role is Role.OFFICIAL and organism is None:
            raise InvalidInput(_l("Un funcionario o funcionaria debe pertenecer a un organismo."), field="organism_id")
        raise NotAllowed(_l("No puedes asignar ese rol."))
    target.role = role
    target.organism_id = organism.id if role is Role.OFFICIAL else None
    # A new role changes what every open page may do: make the person log in again.
    end_all_sessions(target)
    db.session.flush()
    return target
