"""Friendly Spanish error pages; no traceback ever reaches a user."""

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from foro.errors import DomainError

MESSAGES = {
    400: (
        _l("Solicitud no válida"),
        _l("No pudimos procesar lo que enviaste. Revisa los datos e inténtalo de nuevo."),
    ),
    403: (_l("Acceso no permitido"), _l("No tienes permiso para hacer esto.")),
    404: (_l("Página no encontrada"), _l("La página que buscas no existe o ya no está disponible.")),
    405: (_l("Método no permitido"), _l("Esta dirección no acepta ese tipo de solicitud.")),
    409: (
        _l("No se pudo completar"),
        _l("La acción choca con el estado actual. Recarga la página e inténtalo de nuevo."),
    ),
    413: (_l("Envío demasiado grande"), _l("Lo que enviaste supera el tamaño permitido.")),
    429: (
        _l("Demasiados intentos"),
        _l("Hiciste demasiadas solicitudes seguidas. Espera un momento e inténtalo de nuevo."),
    ),
    500: (
        _l("Error del servidor"),
        _l("Algo falló de nuestro lado. Ya quedó registrado; inténtalo de nuevo más tarde."),
    ),
    503: (
        _l("Servicio no disponible"),
        _l("El servicio no está disponible en este momento. Inténtalo de nuevo en unos minutos."),
    ),
}


def render_error(status: int, message=None):
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, message=message or default_message), status


def _http_error(error: HTTPException):
    response = render_error(error.code or 500)
    if error.code == 429:
        # Flask-Limiter adds Retry-After to the response it builds; keep it on our page.
        original = error.get_response()
        headers = {k: v for k, v in original.headers.items() if k.lower().startswith(("retry-after", "x-ratelimit"))}
        return response[0], 429, headers
    return response


def _csrf_error(_error: CSRFError):
    return render_error(400, _l("El formulario caducó o no es válido. Recarga la página e inténtalo de nuevo."))


def _domain_error(error: DomainError):
    return render_error(error.status_code, error.message)


def _database_unavailable(error: OperationalError):
    # A restarted or unreachable database: the request stored nothing; pool_pre_ping heals the next one.
    from foro.extensions import db

    db.session.rollback()
    current_app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    return render_error(503)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OperationalError, _database_unavailable)
