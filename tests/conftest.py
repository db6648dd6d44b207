"""Test fixtures: one schema per database URL, built by the migrations; every test starts empty.

``FORO_TEST_DATABASE_URL`` selects the database (default: a SQLite file in a temporary folder).
The suite runs once per URL; see the README's test command.
"""

import contextvars
import os
import re
import tempfile
import threading
from contextlib import contextmanager

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text
from werkzeug.serving import make_server

from foro import create_app
from foro.extensions import db, limiter
from foro.models import Base
from foro.services.reference import load_reference_data
from tests import factories

_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)", re.IGNORECASE)


def _database_url() -> str:
    url = os.environ.get("FORO_TEST_DATABASE_URL")
    if url:
        return url
    folder = tempfile.mkdtemp(prefix="foro-tests-")
    return "sqlite:///" + os.path.join(folder, "foro-test.sqlite")


def _drop_everything(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    else:
        # The search index of migration 0004 is not in the models; drop it with them.
        connection.execute(text("DROP TABLE IF EXISTS forum_posts_fts"))
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


class IsolatedClient(FlaskClient):
    """A browser whose every request runs in its own application context, as in production.

    The test itself runs inside an app context; without this, requests would share its ``g`` (and
    Flask-Login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app():
    url = _database_url()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    app.test_client_class = IsolatedClient
    with app.app_context():
        with db.engine.begin() as connection:
            _drop_everything(connection)
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    # DELETE, children first: on PostgreSQL it is ~50x faster than TRUNCATE for the few rows a test leaves.
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
def _isolated(app):
    """Each test runs in an app context and leaves every table empty and the rate limits reset."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_all_tables()
        limiter.reset()
        app.extensions["page_cache"].clear()


@pytest.fixture
def reference():
    """Cali's territories, organisms and target groups, as an installation starts with them."""
    load_reference_data()
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    """Several independent browsers (each with its own cookies)."""
    return app.test_client


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter:`` counts SQL statements, transaction control excluded."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args):
            if not _TRANSACTION_CONTROL.match(statement):
                counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP in a background thread, for the browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright; the suite fails (never skips) when it is missing."""
    from playwright.sync_api import sync_playwright

    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(f"Chromium not found at {path}: install Debian's 'chromium' package (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context per test; any JavaScript dialog fails the test (XSS guard)."""
    context = chromium.new_context(locale="es-CO")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert not dialogs, f"a JavaScript dialog fired: {dialogs}"


@pytest.fixture
def make(reference):
    """The factories, with reference data loaded."""
    return factories
