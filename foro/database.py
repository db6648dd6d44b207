"""Engine set-up that makes SQLite behave like a real transactional database.

- ``PRAGMA foreign_keys=ON``, WAL and a busy timeout on every connection.
- SQLAlchemy's documented pysqlite fix: the driver's own transaction handling is switched off and
  SQLAlchemy emits BEGIN itself, so SAVEPOINTs and rollbacks really work.
- Requests that may write (anything but GET/HEAD/OPTIONS, and socket events that declare they write
  through ``will_write``) begin with ``BEGIN IMMEDIATE``: SQLite has one writer at a time, and taking
  the write lock up front turns "read, then write" races into a wait (busy timeout) instead of
  "database is locked".
  PostgreSQL gets the same guarantee from ``SELECT ... FOR UPDATE`` and unique constraints.
"""

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15_000
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def will_write() -> None:
    """Declare that the current request context writes although its method is GET: a Socket.IO event
    runs in the context of its connection's handshake, which was a GET."""
    g.sqlite_write_lock = True


def done_writing() -> None:
    """The writes declared by ``will_write`` are committed: the next transaction only reads."""
    g.pop("sqlite_write_lock", None)


def _wants_write_lock() -> bool:
    if not has_request_context():
        return False
    return request.method not in _READ_METHODS or g.get("sqlite_write_lock", False)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")
