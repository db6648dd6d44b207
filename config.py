"""Configuration, read from the environment.

The embedded default is a SQLite file in the instance folder; ``DATABASE_URL`` selects PostgreSQL
(``postgresql+psycopg://...``) and ``SOCKETIO_MESSAGE_QUEUE`` a Redis URL shared by several workers.
"""

import os

DEV_SECRET_KEY = "dev-only-not-secret"


def _normalise_database_url(url: str) -> str:
    # Heroku-style and libpq URLs name no driver; Foro speaks psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _origin_list(value: str | None) -> list[str] | None:
    # None lets python-engineio allow the page's own origin only; an empty list would switch the check off.
    origins = [origin.strip() for origin in (value or "").split(",") if origin.strip()]
    return origins or None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # Origins (scheme://host[:port], comma-separated) whose pages may open a socket; unset: same origin only.
    SOCKETIO_CORS_ALLOWED_ORIGINS = _origin_list(os.environ.get("SOCKETIO_CORS_ALLOWED_ORIGINS"))
    # "threading" (the embedded default, simple-websocket) or "gevent" (the socket server as its own process
    # under gunicorn's gevent worker; see docs/live-sessions.md).
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    # A dead connection (a phone that lost coverage) is noticed within interval + timeout seconds.
    SOCKETIO_PING_INTERVAL = int(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SOCKETIO_PING_TIMEOUT = int(os.environ.get("SOCKETIO_PING_TIMEOUT", "20"))
    # How often each socket server process marks its live-session sockets as present, broadcasts the
    # count of people present when it changed (joins and leaves are coalesced into one message per tick)
    # and re-checks that their accounts are still logged in; presence rows older than
    # live_sessions.PRESENCE_TTL_SECONDS belong to a process that died.
    LIVE_PRESENCE_TICK_SECONDS = float(os.environ.get("LIVE_PRESENCE_TICK_SECONDS", "3"))

    BABEL_DEFAULT_LOCALE = "es_CO"
    BABEL_DEFAULT_TIMEZONE = "America/Bogota"
    # Interface languages with a translation catalogue; the browser's preference picks among them.
    LANGUAGES = ["es_CO"]

    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")

    # The version of the data-processing policy a citizen consents to (Ley 1581 de 2012).
    PRIVACY_POLICY_VERSION = "2026-11"
    DEFAULT_RESPONSE_BUSINESS_DAYS = 15

    # Forum, thread and call-for-proposals pages as anonymous visitors get them, cached per process
    # (foro.services.page_cache): how many pages (0 turns the cache off) and how many seconds one may be
    # served at most, for what depends on the clock or on writes that do not bump a stamp (an organism
    # renamed). The FORUM_PAGE_CACHE_* names of the first, forum-only cache are still read as fallbacks.
    PAGE_CACHE_SIZE = int(os.environ.get("PAGE_CACHE_SIZE", os.environ.get("FORUM_PAGE_CACHE_SIZE", "512")))
    PAGE_CACHE_SECONDS = float(
        os.environ.get("PAGE_CACHE_SECONDS", os.environ.get("FORUM_PAGE_CACHE_SECONDS", "60"))
    )


class DevelopmentConfig(Config):
    # The demo is served over plain http on localhost.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _normalise_database_url(os.environ.get("FORO_TEST_DATABASE_URL", ""))
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    LOGIN_RATE_LIMIT = "5 per minute"
    # The presence tick is a background thread writing to the database: in tests it would land between a
    # test's own read and write (SQLite refuses that write at once). Tests run the tick by hand.
    LIVE_PRESENCE_TICK_SECONDS = 24 * 3600.0


class ProductionConfig(Config):
    pass


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
