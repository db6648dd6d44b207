"""Views of the accounts capability: registration, log-in/out, the account page and the privacy policy."""

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from foro.blueprints.accounts import bp
from foro.blueprints.accounts.forms import (
    DeleteAccountForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
)
from foro.errors import DomainError
from foro.extensions import db, limiter
from foro.forms import show_domain_error
from foro.permissions import can_download_own_data
from foro.services import accounts as account_service


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_email_key() -> str:
    """Rate-limit key of the account being tried, so many IPs cannot brute-force one account.

    Keyed on a keyed hash: Flask-Limiter logs and stores the key, and logs must never hold an email.
    """
    email = account_service.normalise_email(request.form.get("email", ""))
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), email.encode(), hashlib.sha256).hexdigest()
    return "login-email:" + digest


def _safe_next() -> str | None:
    """The ``next`` parameter if it is a path on this site; anything that could leave it is ignored."""
    target = request.args.get("next", "")
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.com" or "/\t/evil.com" mean "//evil.com".
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _start_session(user) -> None:
    """Log ``user`` in on a brand-new session: nothing planted in the anonymous session survives (fixation)."""
    session.clear()
    login_user(user)


def _status(form) -> int:
    return 400 if form.is_submitted() and form.errors else 200


@bp.route("/cuenta/registro", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegistrationForm()
    status = None
    if form.validate_on_submit():
        try:
            user = account_service.register_user(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data,
                consent_channel="web",
                consented=form.consent.data,
                profile=form.profile(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            status = show_domain_error(form, error)
        else:
            _start_session(user)
            flash(_("Tu cuenta quedó creada. ¡Bienvenida o bienvenido a Foro!"), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register.html", form=form), status or _status(form)


@bp.route("/cuenta/ingresar", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=_login_email_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = account_service.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            flash(_("Iniciaste sesión. Hola, %(name)s.", name=user.display_name), "success")
            return redirect(_safe_next() or url_for("main.home"))
        # One message for an unknown email and a wrong password: the form must not reveal who has an account.
        form.form_errors.append(_("El correo o la contraseña no son correctos."))
    return render_template("accounts/login.html", form=form), _status(form)


@bp.post("/cuenta/salir")
def logout():
    if current_user.is_authenticated:
        # A new session token makes every cookie issued before refused, including a captured copy.
        account_service.end_all_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("Cerraste sesión."), "success")
    return redirect(url_for("main.home"))


@bp.route("/cuenta", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    status = None
    if form.validate_on_submit():
        try:
            account_service.update_profile(user, display_name=form.display_name.data, profile=form.profile())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            status = show_domain_error(form, error)
        else:
            flash(_("Guardamos los cambios de tu perfil."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, user=user), status or _status(form)


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    status = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            account_service.change_password(
                user, current_password=form.current_password.data, new_password=form.new_password.data
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            status = show_domain_error(form, error)
        else:
            # The session token changed: every other session ends, this one continues with the new token.
            login_user(user)
            flash(_("Cambiamos tu contraseña. Cerramos tu sesión en los demás dispositivos."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form), status or _status(form)


@bp.get("/cuenta/mis-datos.json")
@login_required
def export_data():
    if not can_download_own_data(current_user):
        abort(403)
    data = account_service.export_user_data(current_user._get_current_object())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="foro-mis-datos.json"'},
    )


@bp.route("/cuenta/eliminar", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    status = None
    if form.validate_on_submit():
        try:
            account_service.delete_account(current_user._get_current_object(), password=form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            status = show_domain_error(form, error)
        else:
            logout_user()
            flash(_("Eliminamos tu cuenta y tus datos personales. Gracias por participar."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/delete_account.html", form=form), status or _status(form)


@bp.get("/privacidad")
def privacy_policy():
    version = current_app.config["PRIVACY_POLICY_VERSION"]
    # Policy versions are named after the month they take effect (YYYY-MM).
    effective = datetime.strptime(version, "%Y-%m").date()
    return render_template("accounts/privacy.html", version=version, effective=effective)
