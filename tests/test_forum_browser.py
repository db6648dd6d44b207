"""End to end in Debian's Chromium, the forum issue's moderation walk: a citizen posts a problem and a
cause under it; another flags it; the moderator hides it with a reason; the author sees the reason and
is notified; other people get 404; the admins' moderation log shows the decision.

Each person has their own browser context and logs in through the log-in form (4 log-ins: the limit in
tests is 5 POSTs a minute from one IP). Locators are by role and label, so they also check that every
link, field and button the walk needs has an accessible name.
"""

import re

import pytest
from sqlalchemy import select

from foro.extensions import db
from foro.models import FlagReason, ForumPost, ModerationAction, ModerationLogEntry, PostFlag, PostStatus, Role
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

PROBLEM_TITLE = "Las busetas no suben a la ladera después de las 8 p. m."
PROBLEM_BODY = "Quienes salimos tarde del trabajo caminamos media hora en lo oscuro desde la avenida."
CAUSE_TITLE = "La ruta alimentadora termina su servicio a las 8 de la noche"
CAUSE_BODY = "El operador recortó el horario desde que bajó la demanda en la pandemia."
FLAG_NOTE = "Da el nombre de la conductora y su placa."
HIDE_REASON = "Expone datos personales de una conductora. Puedes publicarlo de nuevo sin su nombre ni su placa."
TIMEOUT_MS = 15_000


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture
def new_page(chromium):
    """``new_page()``: a page in a fresh browser context (another person), with the ``page`` fixture's
    guard: any JavaScript dialog fails the test."""
    contexts = []
    dialogs: list[str] = []

    def open_page():
        context = chromium.new_context(locale="es-CO")
        contexts.append(context)
        person_page = context.new_page()
        person_page.set_default_timeout(TIMEOUT_MS)
        person_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return person_page

    yield open_page
    for context in contexts:
        context.close()
    assert not dialogs, f"a JavaScript dialog fired: {dialogs}"


def _log_in(page, user, back_to: str) -> None:
    """Fill the log-in form the page shows and wait until the site sends the person to ``back_to``."""
    page.get_by_role("heading", level=1, name="Iniciar sesión").wait_for()
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(back_to)
    page.get_by_text(f"Iniciaste sesión. Hola, {user.display_name}.").wait_for()


def _open_forum_and_log_in(page, forum_url: str, user) -> None:
    """As a visitor would: open the forum, follow its invitation to log in, come back to it."""
    response = page.goto(forum_url)
    assert response is not None and response.status == 200
    page.get_by_role("link", name="Inicia sesión para participar").click()
    _log_in(page, user, forum_url)


def test_a_problem_is_posted_analysed_flagged_hidden_with_a_reason_and_logged(make, live_server, page, new_page):
    moderator = make.make_user(Role.MODERATOR, display_name="Yamileth Moderadora Cuero")
    forum = make.make_forum(moderators=[moderator], axes=("Movilidad y transporte", "Seguridad y convivencia"))
    author = make.make_user(display_name="Rosa Elvira Chocué")
    neighbour = make.make_user(display_name="Jhon Fredy Mosquera")
    admin = make.make_user(Role.ADMIN, display_name="Camila Administradora")
    space_id = forum.space_id
    forum_url = f"{live_server}/espacios/{space_id}/foro"
    thread_url = re.compile(re.escape(f"{forum_url}/aportes/") + r"(\d+)$")

    # --- The author posts a problem through "Hacer un aporte". -------------------------------------
    _open_forum_and_log_in(page, forum_url, author)
    page.get_by_role("heading", level=1, name=forum.topic).wait_for()
    page.get_by_role("link", name="Hacer un aporte").click()
    page.get_by_role("heading", level=1, name="Hacer un aporte").wait_for()
    page.get_by_role("radio", name=re.compile(r"^Problema:")).check()
    page.get_by_label("Eje", exact=True).select_option(label="Movilidad y transporte")
    page.get_by_label("Título", exact=True).fill(PROBLEM_TITLE)
    page.get_by_label("Tu aporte", exact=True).fill(PROBLEM_BODY)
    page.get_by_role("button", name="Publicar aporte").click()
    page.wait_for_url(thread_url)
    problem_url = page.url
    problem_id = int(thread_url.match(problem_url).group(1))
    page.get_by_text("Publicaste tu aporte.").wait_for()
    page.get_by_role("heading", level=1, name=PROBLEM_TITLE).wait_for()
    assert page.get_by_text(PROBLEM_BODY).is_visible()

    # --- ... and, from the problem's page, a cause under it. ---------------------------------------
    page.get_by_role("link", name="Aportar una causa").click()
    page.get_by_role("heading", level=1, name="Hacer un aporte").wait_for()
    # The link preselects the kind and the problem: the person only writes.
    assert page.get_by_role("radio", name=re.compile(r"^Causa:")).is_checked()
    assert page.get_by_label("Problema al que corresponde").input_value() == str(problem_id)
    page.get_by_label("Título", exact=True).fill(CAUSE_TITLE)
    page.get_by_label("Tu aporte", exact=True).fill(CAUSE_BODY)
    page.get_by_role("button", name="Publicar aporte").click()
    page.wait_for_url(thread_url)
    cause_url = page.url
    assert cause_url != problem_url
    page.get_by_role("heading", level=1, name=CAUSE_TITLE).wait_for()
    page.get_by_role("link", name=PROBLEM_TITLE).click()
    page.wait_for_url(problem_url)
    page.get_by_role("heading", level=3, name="Causas (1)").wait_for()
    assert page.get_by_role("link", name=CAUSE_TITLE).is_visible()

    # --- Another citizen finds the problem in the forum's tree and reports it. ---------------------
    neighbour_page = new_page()
    _open_forum_and_log_in(neighbour_page, forum_url, neighbour)
    axis = neighbour_page.get_by_role("region", name="Movilidad y transporte")
    axis.get_by_role("link", name=PROBLEM_TITLE).click()
    neighbour_page.wait_for_url(problem_url)
    neighbour_page.get_by_role("link", name="Reportar").click()
    neighbour_page.get_by_role("heading", level=1, name="Reportar un aporte").wait_for()
    neighbour_page.get_by_role("radio", name="Expone datos personales").check()
    neighbour_page.get_by_label("Comentario para el equipo de moderación (opcional)").fill(FLAG_NOTE)
    neighbour_page.get_by_role("button", name="Enviar reporte").click()
    neighbour_page.wait_for_url(problem_url)
    neighbour_page.get_by_text("Gracias por tu reporte.").wait_for()

    # --- The moderator reviews it in the queue and hides it with a written reason. -----------------
    moderator_page = new_page()
    _open_forum_and_log_in(moderator_page, forum_url, moderator)
    moderator_page.get_by_role("navigation", name="Tu cuenta").get_by_role("link", name="Cola de moderación").click()
    moderator_page.wait_for_url(f"{live_server}/moderacion")
    moderator_page.get_by_role("heading", level=1, name="Cola de moderación").wait_for()
    item = moderator_page.get_by_role("article", name=PROBLEM_TITLE)
    assert "Expone datos personales" in item.inner_text()
    assert "1 reporte" in item.inner_text()
    assert FLAG_NOTE in item.inner_text()
    assert moderator_page.get_by_role("article", name=CAUSE_TITLE).count() == 0
    item.get_by_label("Motivo (obligatorio para ocultar; lo lee la persona autora)").fill(HIDE_REASON)
    item.get_by_role("button", name="Ocultar con este motivo").click()
    moderator_page.get_by_text("Aporte ocultado. La persona autora verá el motivo.").wait_for()
    assert moderator_page.url == f"{live_server}/moderacion"
    assert moderator_page.get_by_role("article", name=PROBLEM_TITLE).count() == 0
    # The log is for admins only.
    assert moderator_page.goto(f"{live_server}/admin/moderacion").status == 403

    # --- The author reloads the thread: the hidden status and the moderator's reason. --------------
    page.reload()
    page.get_by_role("heading", level=1, name=PROBLEM_TITLE).wait_for()
    assert page.get_by_text("Ocultado por moderación", exact=True).is_visible()
    assert page.get_by_text(f"Ocultado por la moderación. Motivo: {HIDE_REASON}").is_visible()

    # ... and was told in the app; "Ver" takes her to the thread.
    account_nav = page.get_by_role("navigation", name="Tu cuenta")
    account_nav.get_by_role("link", name="Notificaciones (1 sin leer)").click()
    page.get_by_role("heading", level=1, name="Notificaciones").wait_for()
    notice = page.get_by_role("listitem").filter(
        has_text=f"Tu aporte «{PROBLEM_TITLE}» fue ocultado por moderación. Motivo: {HIDE_REASON}"
    )
    assert "Moderación de tu contenido" in notice.inner_text()
    notice.get_by_role("button", name="Ver").click()
    page.wait_for_url(problem_url)
    # Opening it marked it read ("(0 sin leer)" is what the header says today; see the report).
    assert account_nav.get_by_role("link", name=re.compile(r"^Notificaciones( \(0 sin leer\))?$")).is_visible()

    # --- For everyone else the problem is gone: 404 by URL, absent from the forum. -----------------
    assert neighbour_page.goto(problem_url).status == 404
    assert neighbour_page.goto(forum_url).status == 200
    assert neighbour_page.get_by_role("link", name=PROBLEM_TITLE).count() == 0
    # The cause stays published, without its link to the hidden problem.
    assert neighbour_page.goto(cause_url).status == 200
    neighbour_page.get_by_role("heading", level=1, name=CAUSE_TITLE).wait_for()
    assert neighbour_page.get_by_role("link", name=PROBLEM_TITLE).count() == 0

    # --- The admin finds the decision in the moderation log, filtered by moderator and action. -----
    admin_page = new_page()
    assert admin_page.goto(live_server + "/").status == 200
    admin_page.get_by_role("link", name="Iniciar sesión").click()
    _log_in(admin_page, admin, f"{live_server}/")
    admin_page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Administración").click()
    admin_page.get_by_role("link", name="Bitácora de moderación").click()
    admin_page.wait_for_url(f"{live_server}/admin/moderacion")
    admin_page.get_by_role("heading", level=1, name="Bitácora de moderación").wait_for()
    admin_page.get_by_label("Moderador/a").select_option(label=moderator.display_name)
    admin_page.get_by_label("Acción", exact=True).select_option(label="Ocultó")
    admin_page.get_by_role("button", name="Filtrar").click()
    admin_page.wait_for_url(re.compile(r"moderador=\d+.*accion=hide"))
    admin_page.get_by_text("1 registro", exact=True).wait_for()
    row = admin_page.get_by_role("row").filter(has_text=HIDE_REASON)
    cells = [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
    assert cells[1:] == [
        forum.space.title,
        moderator.display_name,
        "Ocultó",
        f"n.º {problem_id}",
        author.display_name,
        HIDE_REASON,
        "Estaba «Publicado»; reportes resueltos: 1.",
    ]

    # What the pages showed is what is stored. Ending the test's transaction (as IsolatedClient does before
    # each request) drops its snapshot, which predates the browser's writes, and expires loaded rows.
    db.session.commit()
    problem = db.session.get(ForumPost, problem_id)
    assert problem.status is PostStatus.HIDDEN and problem.hidden_reason == HIDE_REASON
    flag = db.session.scalar(select(PostFlag).where(PostFlag.post_id == problem_id))
    assert (flag.user_id, flag.reason, flag.note) == (neighbour.id, FlagReason.PERSONAL_DATA, FLAG_NOTE)
    assert flag.resolved_at is not None
    entry = db.session.scalar(select(ModerationLogEntry))
    assert (entry.action, entry.moderator_id, entry.post_id, entry.target_user_id) == (
        ModerationAction.HIDE,
        moderator.id,
        problem_id,
        author.id,
    )
