"""Accounts: registration with consent, log-in/out, sessions, profile, export, deletion and the privacy policy.

RELIABILITY.md rows covered: sessions and headers, personal data (Ley 1581 de 2012), bad input.
"""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foro.errors import InvalidInput
from foro.extensions import db
from foro.models import (
    ActionEvaluation,
    AgeRange,
    CallWindow,
    Consent,
    ControlObservation,
    Disability,
    EthnicGroup,
    FlagReason,
    Gender,
    PostFlag,
    PostSupport,
    ProposalComment,
    ProposalSupport,
    ProposalVote,
    Role,
    TerritoryKind,
    User,
    action_follows,
    thread_follows,
)
from foro.services.accounts import register_user
from foro.timeutil import now_utc
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import csrf_token, login, post_form, race

NEW_PASSWORD = "Una frase larga para Cali"
SAME_MESSAGE = "El correo o la contraseña no son correctos."
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
]


def _counts() -> tuple[int, int]:
    return db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Consent.id)))


def _registration(**overrides) -> dict:
    data = {
        "email": "ana@example.org",
        "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD,
        "display_name": "Ana María",
        "territory_id": "",
        "age_range": "undisclosed",
        "gender": "undisclosed",
        "ethnic_group": "undisclosed",
        "disability": "undisclosed",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _register(client, **overrides):
    return post_form(client, "/cuenta/registro", _registration(**overrides))


def _user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _browser_with_cookie(make_client, value: str):
    other = make_client()
    other.set_cookie("session", value)
    return other


def _is_logged_in(client) -> bool:
    return client.get("/cuenta").status_code == 200


# Registration


def test_registration_stores_consent_with_version_time_and_channel_and_logs_in(app, client, make):
    comuna = make.territory(3)
    before = now_utc()
    response = _register(
        client, email="Ana@Example.org", territory_id=str(comuna.id), ethnic_group="afro", disability="no"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/cuenta"

    user = _user_by_email("ana@example.org")
    assert user is not None and user.role is Role.CITIZEN
    assert user.territory_id == comuna.id
    assert user.ethnic_group is EthnicGroup.AFRO and user.disability is Disability.NO
    assert user.age_range is AgeRange.UNDISCLOSED and user.gender is Gender.UNDISCLOSED
    [consent] = user.consents
    assert consent.policy_version == app.config["PRIVACY_POLICY_VERSION"]
    assert consent.channel == "web"
    assert consent.granted_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= consent.granted_at <= now_utc() + timedelta(seconds=1)

    page = client.get("/cuenta")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tu cuenta quedó creada" in html
    assert app.config["PRIVACY_POLICY_VERSION"] in html
    assert client.get("/cuenta/registro").headers["Location"] == "/cuenta"


def test_registration_without_consent_stores_nothing(client, make):
    before = _counts()
    response = _register(client, consent=None)
    assert response.status_code == 400
    assert "Para crear la cuenta debes autorizar el tratamiento de tus datos personales." in response.get_data(
        as_text=True
    )
    assert _counts() == before


def test_the_service_refuses_an_account_without_consent(make):
    with pytest.raises(InvalidInput) as refused:
        register_user(email="ana@example.org", password=NEW_PASSWORD, display_name="Ana", consented=False)
    assert refused.value.field == "consent"
    db.session.rollback()
    assert _counts() == (0, 0)


def test_registration_form_leaves_consent_unticked_and_optional_answers_undisclosed(client, make):
    html = client.get("/cuenta/registro").get_data(as_text=True)
    consent = re.search(r'<input[^>]*name="consent"[^>]*>', html).group(0)
    assert 'type="checkbox"' in consent and "checked" not in consent
    assert 'href="/privacidad"' in html
    # Why the optional data is asked, and that it is self-declared.
    assert "estadísticas" in html and "declaras" in html
    assert '<option selected value="">Prefiero no decir</option>' in html
    for name in ("age_range", "gender", "ethnic_group", "disability"):
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        assert '<option selected value="undisclosed">Prefiero no responder</option>' in select_html
    territories = re.search(r'<select[^>]*name="territory_id".*?</select>', html, re.S).group(0)
    assert territories.index('label="Comunas"') < territories.index('label="Corregimientos"')
    assert territories.count("<option") == 1 + 22 + 15


def test_registration_without_optional_fields_keeps_them_undisclosed(client, make):
    data = _registration()
    for optional in ("territory_id", "age_range", "gender", "ethnic_group", "disability"):
        del data[optional]
    assert post_form(client, "/cuenta/registro", data).status_code == 302
    user = _user_by_email("ana@example.org")
    assert user.territory_id is None
    assert (user.age_range, user.gender, user.ethnic_group, user.disability) == (
        AgeRange.UNDISCLOSED,
        Gender.UNDISCLOSED,
        EthnicGroup.UNDISCLOSED,
        Disability.UNDISCLOSED,
    )


@pytest.mark.parametrize("email", ["Ana@Example.org", "ANA@EXAMPLE.ORG", "ａｎａ@example.org"])
def test_duplicate_email_is_a_409_whatever_the_case_or_unicode_form(client, make, email):
    make.make_user(email="ana@example.org")
    before = _counts()
    response = _register(client, email=email)
    assert response.status_code == 409
    assert "Ya existe una cuenta con ese correo" in response.get_data(as_text=True)
    assert _counts() == before


def test_decomposed_and_composed_accents_are_the_same_email(client, make):
    make.make_user(email="jos\u00e9@example.org")
    before = _counts()
    response = _register(client, email="jose\u0301@example.org")
    assert response.status_code == 409
    assert _counts() == before


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("corta1!", "corta1!", "La contraseña debe tener entre 8 y 200 caracteres."),
        ("password123", "password123", "demasiado común"),
        ("12345678", "12345678", "demasiado común"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "demasiado común"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "Las contraseñas no coinciden."),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(client, make, password, confirmation, message):
    before = _counts()
    response = _register(client, password=password, password_confirmation=confirmation)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts() == before


def test_long_passphrases_are_allowed_up_to_the_limit(client, make_client, make):
    passphrase = ("Mi barrio tiene una ceiba enorme " * 7)[:200]
    assert _register(client, password=passphrase, password_confirmation=passphrase).status_code == 302
    other = make_client()
    assert login(other, _user_by_email("ana@example.org"), password=passphrase).status_code == 302


@pytest.mark.parametrize("name", ["   ", "\u200b\u200b", "\u200b \u2060\ufeff", "\t\n"])
def test_blank_or_zero_width_display_name_is_required(client, make, name):
    before = _counts()
    response = _register(client, display_name=name)
    assert response.status_code == 400
    assert "Este campo es obligatorio." in response.get_data(as_text=True)
    assert _counts() == before


def _email_of_length(length: int) -> str:
    domain = "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    return "a" * (length - 1 - len(domain)) + "@" + domain


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "ñ" * 81, "El nombre admite hasta 80 caracteres."),
        ("email", _email_of_length(255), "El correo admite hasta 254 caracteres."),
        ("password", "x" + "Mi barrio tiene una ceiba " * 8, "La contraseña debe tener entre 8 y 200 caracteres."),
    ],
)
def test_one_character_over_each_limit_is_a_form_error(client, make, field, value, message):
    overrides = {field: value}
    if field == "password":
        value = value[:201]
        overrides = {"password": value, "password_confirmation": value}
    assert len(value) == {"display_name": 81, "email": 255, "password": 201}[field]
    before = _counts()
    response = _register(client, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts() == before


def test_values_at_the_limits_are_accepted(client, make):
    email = _email_of_length(254)
    assert len(email) == 254
    assert _register(client, email=email, display_name="ñ" * 80).status_code == 302
    assert _user_by_email(email).display_name == "ñ" * 80


@pytest.mark.parametrize("field", ["territory_id", "age_range", "ethnic_group"])
def test_unknown_choices_are_refused(client, make, field):
    before = _counts()
    response = _register(client, **{field: "99999" if field == "territory_id" else "marciano"})
    assert response.status_code == 400
    assert "Elige una de las opciones de la lista." in response.get_data(as_text=True)
    assert _counts() == before


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_display_name_is_shown_escaped(client, make, payload):
    assert _register(client, display_name=payload).status_code == 302
    assert _user_by_email("ana@example.org").display_name == payload
    html = client.get("/cuenta").get_data(as_text=True)
    assert payload not in html
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert escaped in html


def test_template_syntax_in_display_name_is_shown_literally(client, make):
    assert _register(client, display_name="{{7*7}} {% raw %}").status_code == 302
    html = client.get("/cuenta").get_data(as_text=True)
    assert ">{{7*7}} {% raw %}</a>" in html and ">49" not in html


def test_accents_enye_and_emoji_round_trip(client, make):
    name = "Ñandú Álvarez Güiza 🌱"
    assert _register(client, display_name=name).status_code == 302
    assert _user_by_email("ana@example.org").display_name == name
    assert name in client.get("/cuenta").get_data(as_text=True)


def test_registration_without_csrf_token_is_400_and_stores_nothing(client, make):
    before = _counts()
    response = client.post("/cuenta/registro", data=_registration())
    assert response.status_code == 400
    assert "El formulario caducó o no es válido" in response.get_data(as_text=True)
    assert _counts() == before


# Log-in


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make):
    user = make.make_user()
    wrong = post_form(client, "/cuenta/ingresar", {"email": user.email, "password": "no-es-la-clave"})
    unknown = post_form(client, "/cuenta/ingresar", {"email": "nadie@example.org", "password": DEFAULT_PASSWORD})
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert SAME_MESSAGE in response.get_data(as_text=True)
    errors = [re.search(r'<div class="error-summary".*?</div>', r.get_data(as_text=True), re.S).group(0)
              for r in (wrong, unknown)]
    assert errors[0] == errors[1]
    assert not _is_logged_in(client)


def test_login_accepts_the_email_in_any_case(client, make):
    user = make.make_user(email="ana@example.org")
    response = post_form(client, "/cuenta/ingresar", {"email": " ANA@Example.org ", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert _is_logged_in(client)
    assert user.display_name in client.get("/cuenta").get_data(as_text=True)


def test_deleted_account_cannot_log_in(client, make):
    user = make.make_user()
    user.deleted_at = now_utc()
    db.session.commit()
    response = post_form(client, "/cuenta/ingresar", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert SAME_MESSAGE in response.get_data(as_text=True)


def test_login_rate_limit_per_ip_answers_429_with_retry_after(client, make):
    user = make.make_user()
    for _ in range(5):
        response = post_form(client, "/cuenta/ingresar", {"email": "otra@example.org", "password": "equivocada"})
        assert response.status_code == 400
    # Even the right password is refused once the limit is reached.
    response = post_form(client, "/cuenta/ingresar", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Demasiados intentos" in response.get_data(as_text=True)
    assert not _is_logged_in(client)
    # Only POSTs count: the form is still shown.
    assert client.get("/cuenta/ingresar").status_code == 200


def test_login_rate_limit_per_account_holds_across_many_ips(client, make):
    user = make.make_user(email="ana@example.org")
    token = csrf_token(client)
    for attempt, email in enumerate(["ana@example.org", "ANA@example.org", " Ana@Example.org"] * 2):
        response = client.post(
            "/cuenta/ingresar",
            data={"email": email, "password": f"intento-{attempt}", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"},
        )
        assert response.status_code == (400 if attempt < 5 else 429), attempt
    assert "Retry-After" in response.headers
    # The same IPs may still try another account: only this one is throttled.
    other = make.make_user()
    response = client.post(
        "/cuenta/ingresar",
        data={"email": other.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_code == 302
    assert user.email not in str(response.headers)


def test_login_starts_a_new_session(client, make):
    user = make.make_user()
    old_token = csrf_token(client)
    with client.session_transaction() as sess:
        sess["planted"] = "valor de un atacante"
    response = post_form(client, "/cuenta/ingresar", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:{user.session_token}"
    assert csrf_token(client) != old_token


def test_login_without_csrf_token_is_400_and_does_not_log_in(client, make):
    user = make.make_user()
    response = client.post("/cuenta/ingresar", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert not _is_logged_in(client)


def test_login_follows_a_safe_next_path(client, make):
    user = make.make_user()
    response = post_form(
        client, "/cuenta/ingresar?next=/privacidad%3Fa%3D1", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacidad?a=1"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "///evil.com",
        "https://evil.com/",
        "/\\evil.com",
        "/\t/evil.com",
        "javascript:alert(1)",
        "evil.com",
    ],
)
def test_login_ignores_a_next_that_leaves_the_site(client, make, target):
    user = make.make_user()
    response = client.post(
        "/cuenta/ingresar",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("url", ["/cuenta", "/cuenta/contrasena", "/cuenta/mis-datos.json", "/cuenta/eliminar"])
def test_account_pages_send_anonymous_visitors_to_log_in_and_back(client, make, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/cuenta/ingresar?next=" + url.replace("/", "%2F")
    user = make.make_user()
    response = post_form(client, response.headers["Location"], {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == url
    assert client.get(url).status_code == 200


# Log-out and sessions


def test_logout_is_post_only(client, make):
    login(client, make.make_user())
    assert client.get("/cuenta/salir").status_code == 405
    assert _is_logged_in(client)
    assert client.post("/cuenta/salir").status_code == 400
    assert _is_logged_in(client)


def test_logout_refuses_a_cookie_captured_before_it(client, make_client, make):
    login(client, make.make_user())
    captured = _session_cookie(client)
    response = post_form(client, "/cuenta/salir", token_from="/cuenta")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Cerraste sesión." in client.get("/").get_data(as_text=True)
    assert not _is_logged_in(client)
    assert not _is_logged_in(_browser_with_cookie(make_client, captured))


def test_password_change_keeps_this_session_and_ends_the_others(client, make_client, make):
    user = make.make_user()
    other_browser = make_client()
    login(client, user)
    login(other_browser, user)
    captured = _session_cookie(client)

    response = post_form(
        client,
        "/cuenta/contrasena",
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cuenta"
    assert _is_logged_in(client)
    assert not _is_logged_in(other_browser)
    assert not _is_logged_in(_browser_with_cookie(make_client, captured))

    fresh = make_client()
    assert post_form(fresh, "/cuenta/ingresar", {"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 400
    assert login(fresh, user, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "message"),
    [
        ("no-es-la-actual", NEW_PASSWORD, NEW_PASSWORD, "La contraseña actual no es correcta."),
        (DEFAULT_PASSWORD, "qwerty123", "qwerty123", "demasiado común"),
        (DEFAULT_PASSWORD, "corta", "corta", "La contraseña debe tener entre 8 y 200 caracteres."),
        (DEFAULT_PASSWORD, NEW_PASSWORD, "otra cosa distinta", "Las contraseñas no coinciden."),
    ],
)
def test_refused_password_change_changes_nothing(client, make_client, make, current, new, confirmation, message):
    user = make.make_user()
    other_browser = make_client()
    login(client, user)
    login(other_browser, user)
    old_hash, old_token = user.password_hash, user.session_token
    response = post_form(
        client,
        "/cuenta/contrasena",
        {"current_password": current, "new_password": new, "new_password_confirmation": confirmation},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    refreshed = db.session.get(User, user.id)
    assert (refreshed.password_hash, refreshed.session_token) == (old_hash, old_token)
    assert _is_logged_in(other_browser)


# Account page


def test_account_pages_and_export_are_not_stored_by_caches(client, make):
    login(client, make.make_user())
    for url in ("/cuenta", "/cuenta/contrasena", "/cuenta/eliminar", "/cuenta/mis-datos.json", "/cuenta/ingresar"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "Content-Security-Policy" in client.get("/cuenta").headers


def test_account_page_shows_consents_and_links(app, client, make):
    user = make.make_user()
    login(client, user)
    html = client.get("/cuenta").get_data(as_text=True)
    assert user.email in html
    assert app.config["PRIVACY_POLICY_VERSION"] in html
    for href in ("/cuenta/contrasena", "/cuenta/mis-datos.json", "/cuenta/eliminar", "/privacidad"):
        assert f'href="{href}"' in html


def test_profile_update_is_stored_and_ignores_role_and_email(client, make):
    user = make.make_user()
    territory = make.territory(53, kind=TerritoryKind.CORREGIMIENTO)
    login(client, user)
    response = post_form(
        client,
        "/cuenta",
        {
            "display_name": "  Doña Rosa  ",
            "territory_id": str(territory.id),
            "age_range": "60+",
            "gender": "woman",
            "ethnic_group": "indigenous",
            "disability": "yes",
            "role": "admin",
            "email": "otra@example.org",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cuenta"
    db.session.expire_all()
    refreshed = db.session.get(User, user.id)
    assert refreshed.display_name == "Doña Rosa"
    assert refreshed.territory_id == territory.id
    assert refreshed.age_range is AgeRange.FROM_60 and refreshed.gender is Gender.WOMAN
    assert refreshed.ethnic_group is EthnicGroup.INDIGENOUS and refreshed.disability is Disability.YES
    assert refreshed.role is Role.CITIZEN and refreshed.email == user.email
    assert "Guardamos los cambios de tu perfil." in client.get("/cuenta").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"display_name": "\u200b"}, "Este campo es obligatorio."),
        ({"display_name": "x" * 81}, "El nombre admite hasta 80 caracteres."),
        ({"territory_id": "abc"}, "Elige una de las opciones de la lista."),
        ({"gender": "robot"}, "Elige una de las opciones de la lista."),
    ],
)
def test_invalid_profile_update_changes_nothing(client, make, changes, message):
    user = make.make_user(display_name="Rosa")
    login(client, user)
    data = {"display_name": "Rosa Nueva", "territory_id": "", "age_range": "18-28", "gender": "woman",
            "ethnic_group": "none", "disability": "no"}
    data.update(changes)
    response = post_form(client, "/cuenta", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    refreshed = db.session.get(User, user.id)
    assert refreshed.display_name == "Rosa" and refreshed.age_range is AgeRange.UNDISCLOSED


def test_profile_update_without_csrf_token_changes_nothing(client, make):
    user = make.make_user(display_name="Rosa")
    login(client, user)
    assert client.post("/cuenta", data={"display_name": "Otra"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Rosa"


# Data export


def test_export_contains_own_data_only(client, make):
    comuna = make.territory(7)
    user = make.make_user(email="ana@example.org", display_name="Ana Export", territory=comuna)
    stranger = make.make_user(email="pedro@example.org", display_name="Pedro Ajeno")
    login(client, user)
    response = client.get("/cuenta/mis-datos.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["cuenta"]["id"] == user.id
    assert data["cuenta"]["correo"] == "ana@example.org"
    assert data["cuenta"]["nombre_visible"] == "Ana Export"
    assert data["perfil"]["territorio"] == comuna.display_name
    assert [c["version_politica"] for c in data["autorizaciones_de_tratamiento"]] == ["2026-11"]
    assert stranger.email not in body and stranger.display_name not in body


# Account deletion


def test_delete_page_explains_what_happens(client, make):
    login(client, make.make_user())
    html = client.get("/cuenta/eliminar").get_data(as_text=True)
    assert "Participante eliminado" in html and "No se puede deshacer" in html
    assert 'name="password"' in html and 'name="confirm"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": DEFAULT_PASSWORD}, "Marca la casilla para confirmar"),
        ({"password": "equivocada", "confirm": "y"}, "La contraseña no es correcta."),
    ],
)
def test_refused_deletion_changes_nothing(client, make, data, message):
    user = make.make_user()
    login(client, user)
    response = post_form(client, "/cuenta/eliminar", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    refreshed = _user_by_email(user.email)
    assert refreshed is not None and not refreshed.is_deleted
    assert _is_logged_in(client)


def test_deletion_without_csrf_token_changes_nothing(client, make):
    user = make.make_user()
    login(client, user)
    response = client.post("/cuenta/eliminar", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    assert not _user_by_email(user.email).is_deleted


def test_deletion_erases_personal_data_ends_sessions_and_frees_the_email(client, make_client, make):
    user = make.make_user(email="ana@example.org", display_name="Ana Borrada", territory=make.territory(4))
    user_id = user.id
    other_browser = make_client()
    login(client, user)
    login(other_browser, user)
    captured = _session_cookie(client)

    response = post_form(client, "/cuenta/eliminar", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Eliminamos tu cuenta" in client.get("/").get_data(as_text=True)
    for browser in (client, other_browser, _browser_with_cookie(make_client, captured)):
        assert not _is_logged_in(browser)

    db.session.expire_all()
    deleted = db.session.get(User, user_id)
    assert deleted is not None and deleted.is_deleted
    assert deleted.email is None and deleted.display_name is None and deleted.password_hash is None
    assert deleted.territory_id is None
    assert str(deleted.public_name) == "Participante eliminado"

    assert post_form(make_client(), "/cuenta/ingresar", {"email": "ana@example.org",
                                                         "password": DEFAULT_PASSWORD}).status_code == 400
    assert _register(make_client(), email="ana@example.org").status_code == 302
    again = _user_by_email("ana@example.org")
    assert again.id != user_id and not again.is_deleted


# Privacy policy


def test_privacy_policy_is_public_and_complete(app, client):
    response = client.get("/privacidad")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    for text in (
        "Ley 1581 de 2012",
        "Alcaldía de Santiago de Cali",
        "autorreconocimiento étnico",
        "Prefiero no responder",
        "Conocer",
        "Actualizar",
        "Rectificar",
        "Suprimir",
        "Revocar",
        f"Versión {app.config['PRIVACY_POLICY_VERSION']}",
        "noviembre de 2026",
    ):
        assert text in html, text
    for href in ("/cuenta", "/cuenta/mis-datos.json", "/cuenta/eliminar"):
        assert f'href="{href}"' in html


def test_ten_registrations_racing_for_one_email_store_one_account(make_client, make):
    browsers = [make_client() for _ in range(10)]
    tokens = [csrf_token(browser, "/cuenta/registro") for browser in browsers]
    responses = race(
        [
            lambda browser=browser, token=token: browser.post(
                "/cuenta/registro", data=_registration(csrf_token=token, email="carrera@example.org")
            )
            for browser, token in zip(browsers, tokens, strict=True)
        ]
    )
    assert sorted(response.status_code for response in responses) == [302] + [409] * 9
    assert _counts() == (1, 1)


def test_export_holds_every_contribution_of_the_person_and_none_of_anyone_elses(client, make):
    user = make.make_user(email="ana@example.org", display_name="Ana Export")
    other = make.make_user(email="pedro@example.org", display_name="Pedro Ajeno")
    forum = make.make_forum()
    post = make.make_post(forum, user, title="Mi problema en el foro")
    others_post = make.make_post(forum, other, title="El problema de Pedro")
    db.session.add_all(
        [
            PostSupport(post_id=others_post.id, user_id=user.id),
            PostFlag(post_id=others_post.id, user_id=user.id, reason=FlagReason.SPAM, note="Publicidad"),
            PostSupport(post_id=post.id, user_id=other.id),
        ]
    )
    db.session.execute(thread_follows.insert().values(thread_id=others_post.id, user_id=user.id))
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, user, title="Mi propuesta de ruta nocturna")
    others_proposal = make.make_proposal(call, other, title="La propuesta de Pedro")
    db.session.add_all(
        [
            ProposalSupport(proposal_id=others_proposal.id, user_id=user.id),
            ProposalComment(proposal_id=others_proposal.id, author_id=user.id, body="<p>Me gusta</p>"),
            ProposalComment(proposal_id=proposal.id, author_id=other.id, body="<p>Comentario de Pedro</p>"),
            ProposalVote(proposal_id=others_proposal.id, user_id=user.id, call_id=call.id),
            ProposalVote(proposal_id=proposal.id, user_id=other.id, call_id=call.id),
        ]
    )
    action = make.make_action(make.make_plan())
    db.session.add_all(
        [
            ActionEvaluation(action_id=action.id, user_id=user.id, fulfilment=4, effect=3, comment="Va bien"),
            ActionEvaluation(action_id=action.id, user_id=other.id, fulfilment=1, effect=1, comment="De Pedro"),
            ControlObservation(action_id=action.id, author_id=user.id, body="La obra está parada"),
        ]
    )
    db.session.execute(action_follows.insert().values(action_id=action.id, user_id=user.id))
    db.session.commit()

    login(client, user)
    body = client.get("/cuenta/mis-datos.json").get_data(as_text=True)
    data = json.loads(body)
    forums, calls, follow_up = data["foros"], data["convocatorias_de_propuestas"], data["seguimiento_y_evaluacion"]
    assert [p["titulo"] for p in forums["aportes_y_respuestas"]] == ["Mi problema en el foro"]
    assert [s["aporte"] for s in forums["apoyos_a_aportes"]] == [others_post.id]
    assert [(f["aporte"], f["motivo"]) for f in forums["reportes_de_aportes"]] == [(others_post.id, "spam")]
    assert forums["hilos_que_sigue"] == [others_post.id]
    assert [p["titulo"] for p in calls["propuestas"]] == ["Mi propuesta de ruta nocturna"]
    assert [s["propuesta"] for s in calls["apoyos_a_propuestas"]] == [others_proposal.id]
    assert [c["texto"] for c in calls["comentarios_a_propuestas"]] == ["<p>Me gusta</p>"]
    assert [v["propuesta"] for v in calls["votos"]] == [others_proposal.id]
    assert [(e["cumplimiento"], e["comentario"]) for e in follow_up["evaluaciones_de_acciones"]] == [(4, "Va bien")]
    assert [o["texto"] for o in follow_up["observaciones_de_control_social"]] == ["La obra está parada"]
    assert follow_up["acciones_que_sigue"] == [action.id]
    for foreign in ("Pedro", "pedro@example.org", "De Pedro", "Comentario de Pedro"):
        assert foreign not in body


def test_export_holds_the_persons_live_session_records_and_none_of_anyone_elses(client, make):
    from foro.models import (
        LiveAttendance,
        LivePoll,
        LivePollOption,
        LivePollVote,
        LiveQuestion,
        LiveSession,
        QuestionStatus,
        QuestionUpvote,
        SessionEvaluation,
        SpaceKind,
        SpaceState,
    )

    user = make.make_user(email="ana@example.org", display_name="Ana Export")
    other = make.make_user(email="pedro@example.org", display_name="Pedro Ajeno")
    space = make.make_space(kind=SpaceKind.LIVE_SESSION, state=SpaceState.CLOSED)
    session = LiveSession(space_id=space.id)
    db.session.add(session)
    db.session.flush()
    mine = LiveQuestion(session_id=session.id, author_id=user.id, body="¿Cuándo abre el parque?")
    others = LiveQuestion(
        session_id=session.id, author_id=other.id, body="Pregunta de Pedro", status=QuestionStatus.APPROVED
    )
    poll = LivePoll(session_id=session.id, question="¿Fue clara la información?")
    poll.options = [LivePollOption(position=0, label="Sí"), LivePollOption(position=1, label="No")]
    db.session.add_all([mine, others, poll])
    db.session.flush()
    db.session.add_all(
        [
            LiveAttendance(session_id=session.id, user_id=user.id, registered_at=now_utc()),
            LiveAttendance(session_id=session.id, user_id=other.id, joined_at=now_utc()),
            QuestionUpvote(question_id=others.id, user_id=user.id),
            QuestionUpvote(question_id=mine.id, user_id=other.id),
            LivePollVote(poll_id=poll.id, user_id=user.id, option_id=poll.options[0].id),
            LivePollVote(poll_id=poll.id, user_id=other.id, option_id=poll.options[1].id),
            SessionEvaluation(
                session_id=session.id, user_id=user.id, information_clear=3, questions_answered=2, usefulness=4
            ),
            SessionEvaluation(
                session_id=session.id, user_id=other.id, information_clear=1, questions_answered=1, usefulness=1,
                comment="Comentario de Pedro",
            ),
        ]
    )
    db.session.commit()

    login(client, user)
    body = client.get("/cuenta/mis-datos.json").get_data(as_text=True)
    live = json.loads(body)["sesiones_de_rendicion_de_cuentas"]
    assert [(a["espacio"], a["presente_desde"]) for a in live["asistencia"]] == [(space.id, None)]
    assert [q["texto"] for q in live["preguntas"]] == ["¿Cuándo abre el parque?"]
    assert [u["pregunta"] for u in live["preguntas_apoyadas"]] == [others.id]
    assert [(v["encuesta"], v["opcion"]) for v in live["votos_en_encuestas"]] == [(poll.id, poll.options[0].id)]
    assert [(e["espacio"], e["utilidad"]) for e in live["evaluaciones_de_sesiones"]] == [(space.id, 4)]
    for foreign in ("Pedro", "pedro@example.org", "Pregunta de Pedro", "Comentario de Pedro"):
        assert foreign not in body
