"""The live session in Debian's Chromium: a moderator's browser and a citizen's browser on the same open
session page. The citizen asks; the question reaches the moderator's pending queue without a reload;
the moderator approves it; it appears in the citizen's public queue without a reload. A poll vote on
one page updates the results on the other. And with JavaScript off, the ask form still works.

The live server is werkzeug's threaded one: Socket.IO runs there on long-polling (the WebSocket upgrade
may not happen), which is the transport the page must survive on anyway. Each person logs in through
the log-in form (at most 5 log-ins a minute from one address in tests)."""

import contextvars
import re
import time

import pytest
from sqlalchemy import select

from foro.blueprints.live import sockets
from foro.extensions import db
from foro.models import LiveQuestion, QuestionStatus, Role, SpaceState
from foro.models.live import LivePollVote
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT_MS = 20_000
QUESTION = "¿Cuándo terminan la obra del puente peatonal de la comuna 18?"


@pytest.fixture
def new_page(chromium):
    """``new_page(**context_options)``: a page in a fresh browser context (another person); any JavaScript
    dialog fails the test."""
    contexts = []
    dialogs: list[str] = []

    def open_page(**options):
        context = chromium.new_context(locale="es-CO", **options)
        contexts.append(context)
        person_page = context.new_page()
        person_page.set_default_timeout(TIMEOUT_MS)
        person_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return person_page

    yield open_page
    for context in contexts:
        context.close()
    # A closed page's long-polling socket would linger on the server until its ping timeout, and its
    # presence writes would land in the middle of the next test's setup: end them now, server side.
    # Its own context, as the server's threads have: the test's app context and session stay out of it.
    # A socket whose own disconnection is under way in a server thread leaves the registry a moment later.
    db.session.commit()
    deadline = time.monotonic() + 15
    while sockets.local_sids() and time.monotonic() < deadline:
        contextvars.Context().run(sockets.disconnect_sockets, sockets.local_sids())
        time.sleep(0.2)
    assert not sockets.local_sids()
    assert not dialogs, f"a JavaScript dialog fired: {dialogs}"


def _log_in_and_open(page, live_server: str, user, url: str) -> None:
    page.goto(f"{live_server}/cuenta/ingresar?next={url}")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{live_server}{url}")


def _wait_live(page) -> None:
    """The script joined the room over Socket.IO, and a marker shows whether the page reloads later."""
    page.locator('#live-root[data-connection="live"]').wait_for()
    page.evaluate("window.__sameDocument = true")


def _same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


@pytest.fixture
def session_and_people(make):
    moderator = make.make_user(Role.MODERATOR, display_name="Yamileth Moderadora")
    citizen = make.make_user(display_name="Rosa Elvira Chocué")
    live = make.make_live_session(
        state=SpaceState.OPEN, moderators=[moderator], agenda=("Obras de la comuna 18", "Presupuesto")
    )
    return live, moderator, citizen


def test_question_and_poll_travel_between_two_browsers_without_reloading(live_server, new_page, session_and_people):
    live, moderator, citizen = session_and_people
    url = f"/espacios/{live.space_id}/sesion"
    moderator_page = new_page()
    citizen_page = new_page()
    _log_in_and_open(moderator_page, live_server, moderator, url)
    _log_in_and_open(citizen_page, live_server, citizen, url)
    _wait_live(moderator_page)
    _wait_live(citizen_page)

    # The citizen asks over the socket: no navigation, a spoken confirmation.
    citizen_page.get_by_label("Tu pregunta").fill(QUESTION)
    citizen_page.get_by_role("button", name="Enviar pregunta").click()
    citizen_page.locator("#live-feedback", has_text="Tu pregunta quedó enviada").wait_for()
    own = citizen_page.locator("#live-questions li", has_text=QUESTION)
    own.get_by_text("Esperando moderación", exact=True).first.wait_for()

    # The moderator sees it arrive in the pending queue and approves it.
    pending = moderator_page.locator("#live-pending li", has_text=QUESTION)
    pending.wait_for()
    pending.get_by_role("button", name="Aprobar").click()
    moderator_page.locator("#live-questions li", has_text=QUESTION).wait_for()
    db.session.rollback()
    question = db.session.scalar(select(LiveQuestion).where(LiveQuestion.session_id == live.id))
    assert question.status is QuestionStatus.APPROVED

    # The citizen sees it public, in the queue, without reloading.
    public = citizen_page.locator("#live-questions li.is-approved", has_text=QUESTION)
    public.wait_for()
    assert public.locator(".live-awaiting").count() == 0
    assert _same_document(citizen_page) and _same_document(moderator_page)

    # A poll: the moderator launches it, the citizen votes, the moderator's results move.
    moderator_page.get_by_label("Pregunta de la encuesta").fill("¿Qué tan clara fue la información?")
    moderator_page.get_by_label("Opción 1", exact=True).fill("Clara")
    moderator_page.get_by_label("Opción 2", exact=True).fill("Confusa")
    moderator_page.get_by_role("button", name="Lanzar encuesta").click()
    poll = citizen_page.locator("#live-polls li.live-poll", has_text="¿Qué tan clara fue la información?")
    poll.wait_for()
    poll.get_by_role("button", name="Votar: Clara").click()
    poll.get_by_text("Tu voto: Clara").wait_for()
    results = moderator_page.locator("#live-polls li.live-poll li", has_text="Clara")
    results.locator(".live-option-votes", has_text=re.compile(r"^1 voto$")).wait_for()
    assert _same_document(citizen_page) and _same_document(moderator_page)
    db.session.rollback()
    assert len(db.session.scalars(select(LivePollVote)).all()) == 1


def test_the_ask_form_works_without_javascript(live_server, new_page, session_and_people):
    live, _moderator, citizen = session_and_people
    url = f"/espacios/{live.space_id}/sesion"
    page = new_page(java_script_enabled=False)
    _log_in_and_open(page, live_server, citizen, url)
    page.get_by_label("Tu pregunta").fill(QUESTION)
    page.get_by_role("button", name="Enviar pregunta").click()
    page.get_by_text("Tu pregunta quedó enviada").first.wait_for()
    page.locator("#live-questions li", has_text=QUESTION).get_by_text("Esperando moderación").first.wait_for()
    db.session.rollback()
    stored = db.session.scalars(select(LiveQuestion).where(LiveQuestion.session_id == live.id)).all()
    assert [(q.body, q.status) for q in stored] == [(QUESTION, QuestionStatus.PENDING)]
