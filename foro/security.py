"""Response headers, safe URL ids and the request guards every page shares."""

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter

# object-src, base-uri and frame-ancestors as OWASP ASVS asks; no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# Largest value of a PostgreSQL integer column: bigger ids in a URL are simply not found.
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a positive database id; anything else (0, -1, abc, overflow) is a 404."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            abort(404)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def _reject_nul_bytes():
    # PostgreSQL refuses NUL in text; no legitimate path, query or form field contains one.
    if "\x00" in request.path:
        abort(404)
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                abort(400)


def _set_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.blueprint in ("accounts", "admin") or request.path.endswith((".json", ".csv")):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.before_request(_reject_nul_bytes)
    app.after_request(_set_headers)
