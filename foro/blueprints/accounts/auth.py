"""Flask-Login wiring: the session cookie holds ``<user id>:<session token>``.

Rotating a user's ``session_token`` (log-out, password change, account deletion) invalidates every
cookie issued before, including copies captured by someone else.
"""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from foro.extensions import db
from foro.models import User


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.is_deleted or user.session_token != token:
        return None
    return user


def init_login(login_manager: LoginManager, app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Inicia sesión para continuar.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
