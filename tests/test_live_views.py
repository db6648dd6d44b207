"""The live session over HTTP: the space page block, the session page before/during/after, every form
of the no-JavaScript fallback, the settings and agenda, the record and its download, the written
answers and the evaluation. Real routes, real database; refusals store nothing."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import (
    Action,
    Commitment,
    LiveQuestion,
    LiveSession,
    QuestionStatus,
    Role,
    SpaceState,
)
from foro.models.live import (
    AgendaItem,
    LiveAttendance,
    LivePoll,
    LivePollVote,
    PollStatus,
    QuestionUpvote,
    SessionEvaluation,
)
from foro.services import live_sessions
from foro.timeutil import local_today, now_utc
from tests.helpers import csrf_token, login, table_row_counts


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def session_url(live) -> str:
    return f"/espacios/{live.space_id}/sesion"


def post(client, url, data=None, **kwargs):
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, "/cuenta"))
    return client.post(url, data=payload, **kwargs)


def logged_in(make_client, user):
    client = make_client()
    login(client, user)
    return client


def flash_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make):
    organism = make.organism("SDTPC")
    return {
        "citizen": make.make_user(display_name="Marta Ríos"),
        "neighbour": make.make_user(display_name="Julián Paz"),
        "moderator": make.make_user(Role.MODERATOR, display_name="Ana Moderadora"),
        "official": make.make_user(Role.OFFICIAL, organism=organism),
        "organism": organism,
    }


@pytest.fixture
def live(make, people):
    """An open session moderated by ``moderator`` with two agenda items on plan actions."""
    return make.make_live_session(
        state=SpaceState.OPEN,
        moderators=[people["moderator"]],
        agenda=("Avance de la escuela de liderazgo", "Presupuesto participativo"),
        org=people["organism"],
        location="Centro cultural de la comuna 18",
    )


@pytest.fixture
def announced(make, people):
    return make.make_live_session(
        state=SpaceState.ANNOUNCED, moderators=[people["moderator"]], org=people["organism"], location="Sede comunal"
    )


# --- The space page block and the session page --------------------------------------------------


def test_space_page_shows_the_session_block(client, live, people):
    db.session.add(LiveAttendance(session_id=live.id, user_id=people["citizen"].id, registered_at=now_utc()))
    db.session.commit()
    html = client.get(f"/espacios/{live.space_id}").get_data(as_text=True)
    assert "Sesión de rendición de cuentas" in html
    assert "Centro cultural de la comuna 18" in html
    assert "Avance de la escuela de liderazgo" in html
    assert "1 persona inscrita" in html
    assert f'href="/espacios/{live.space_id}/sesion"' in html
    assert "Ana Moderadora" in html
    assert f"/espacios/{live.space_id}/sesion/acta" not in html


def test_space_page_block_query_count_does_not_grow_with_the_agenda(make, client, people, count_queries):
    small = make.make_live_session(org=people["organism"], agenda=("Uno",))
    big = make.make_live_session(org=people["organism"], agenda=tuple(f"Tema {n}" for n in range(8)))
    client.get(f"/espacios/{small.space_id}")
    with count_queries() as few:
        client.get(f"/espacios/{small.space_id}")
    with count_queries() as many:
        assert client.get(f"/espacios/{big.space_id}").status_code == 200
    assert many.count == few.count


def test_announced_page_publishes_the_report_and_takes_registrations(make_client, announced, people):
    action = announced.agenda[0].action
    client = logged_in(make_client, people["citizen"])
    response = client.get(session_url(announced))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Informe de gestión" in html
    assert action.goal in html and action.indicator_name in html
    assert f"/acciones/{action.id}" in html
    assert "Inscribirme para asistir" in html

    response = post(client, f"{session_url(announced)}/asistencia", {"attending": "yes"})
    assert response.status_code == 303
    assert "Quedaste inscrito" in client.get(response.location).get_data(as_text=True)
    assert live_sessions.is_registered(people["citizen"], fresh(LiveSession, announced.id).space)
    assert "Cancelar mi inscripción" in client.get(session_url(announced)).get_data(as_text=True)

    response = post(client, f"{session_url(announced)}/asistencia", {"attending": "no"})
    assert response.status_code == 303
    assert not live_sessions.is_registered(people["citizen"], fresh(LiveSession, announced.id).space)


def test_questions_in_advance_per_agenda_item(make, make_client, announced, people):
    item = announced.agenda[0]
    client = logged_in(make_client, people["citizen"])
    response = post(
        client, f"{session_url(announced)}/preguntas", {"body": "¿Cuántos líderes se formaron?", "item": item.id}
    )
    assert response.status_code == 303
    question = db.session.scalar(select(LiveQuestion).where(LiveQuestion.session_id == announced.id))
    assert question.status is QuestionStatus.PENDING and question.in_advance and question.agenda_item_id == item.id
    html = client.get(session_url(announced)).get_data(as_text=True)
    assert "¿Cuántos líderes se formaron?" in html and "Esperando moderación" in html

    # Another person sees neither the pending question nor it in the JSON.
    other = logged_in(make_client, people["neighbour"])
    assert "¿Cuántos líderes se formaron?" not in other.get(session_url(announced)).get_data(as_text=True)
    assert "¿Cuántos líderes se formaron?" not in other.get(f"{session_url(announced)}/estado.json").get_data(
        as_text=True
    )

    # Approved questions sent in advance are public, with their upvote button.
    approved = make.make_live_question(announced, people["citizen"], body="¿Y el presupuesto de 2027?")
    html = other.get(session_url(announced)).get_data(as_text=True)
    assert "¿Y el presupuesto de 2027?" in html
    assert f"/preguntas/{approved.id}/apoyar" in html
    response = post(other, f"{session_url(announced)}/preguntas/{approved.id}/apoyar")
    assert response.status_code == 303
    assert fresh(LiveQuestion, approved.id).upvote_count == 1
    assert "Apoyaste esta pregunta" in other.get(session_url(announced)).get_data(as_text=True)


def test_open_page_frames_the_stream_with_its_own_policy(client, live):
    live.stream_url = "https://www.youtube-nocookie.com/embed/abc123XYZ_0"
    db.session.commit()
    response = client.get(session_url(live))
    policy = response.headers["Content-Security-Policy"]
    assert "frame-src" in policy
    for host in live_sessions.STREAM_HOSTS:
        assert host in policy
    assert "script-src 'self'" in policy
    html = response.get_data(as_text=True)
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc123XYZ_0"' in html
    assert 'id="live-present"' in html and 'id="live-current"' in html
    assert "socket.io.min.js" in html and "js/live.js" in html
    # Other pages keep the strict policy without frames.
    assert "frame-src" not in client.get(f"/espacios/{live.space_id}").headers["Content-Security-Policy"]


def test_page_texts_for_the_script_come_from_the_template(client, live):
    html = client.get(session_url(live)).get_data(as_text=True)
    start = html.index('<script type="application/json" id="live-i18n">') + len(
        '<script type="application/json" id="live-i18n">'
    )
    texts = json.loads(html[start : html.index("</script>", start)])
    assert texts["offline"] == "Conexión en vivo no disponible: la página se actualiza cada 15 segundos."
    assert texts["pending"] == "Esperando moderación"


def test_moderators_alone_see_the_pending_queue_and_controls(make, make_client, live, people):
    make.make_live_question(live, people["citizen"], status=QuestionStatus.PENDING, body="¿Pregunta por revisar?")
    moderator = logged_in(make_client, people["moderator"])
    html = moderator.get(session_url(live)).get_data(as_text=True)
    assert "¿Pregunta por revisar?" in html
    assert 'id="live-pending"' in html and "Aprobar" in html
    assert "Lanzar encuesta" in html and "Registrar compromiso" in html and "Pasar al siguiente tema" in html

    neighbour = logged_in(make_client, people["neighbour"])
    html = neighbour.get(session_url(live)).get_data(as_text=True)
    assert "¿Pregunta por revisar?" not in html
    assert 'id="live-pending"' not in html and "Lanzar encuesta" not in html


# --- The live flow through forms -----------------------------------------------------------------


def test_ask_approve_answer_over_plain_forms(make_client, live, people):
    citizen = logged_in(make_client, people["citizen"])
    moderator = logged_in(make_client, people["moderator"])
    neighbour = logged_in(make_client, people["neighbour"])
    url = session_url(live)

    assert post(citizen, f"{url}/preguntas", {"body": "¿Cuándo abre la biblioteca?"}).status_code == 303
    question = db.session.scalar(select(LiveQuestion).where(LiveQuestion.session_id == live.id))
    assert not question.in_advance

    response = post(moderator, f"{url}/preguntas/{question.id}/moderar", {"decision": "approve"})
    assert response.status_code == 303
    assert "quedó aprobada" in moderator.get(response.location).get_data(as_text=True)
    assert "¿Cuándo abre la biblioteca?" in neighbour.get(url).get_data(as_text=True)

    assert post(neighbour, f"{url}/preguntas/{question.id}/apoyar").status_code == 303
    assert post(moderator, f"{url}/preguntas/{question.id}/moderar", {"decision": "answering"}).status_code == 303
    assert fresh(LiveQuestion, question.id).status is QuestionStatus.ANSWERING
    assert 'class="live-question is-answering"' in neighbour.get(url).get_data(as_text=True)

    before = table_row_counts()
    response = post(moderator, f"{url}/preguntas/{question.id}/moderar", {"decision": "answered", "summary": ""})
    assert response.status_code == 400
    assert table_row_counts() == before and fresh(LiveQuestion, question.id).status is QuestionStatus.ANSWERING

    response = post(
        moderator, f"{url}/preguntas/{question.id}/moderar", {"decision": "answered", "summary": "Abre en marzo."}
    )
    assert response.status_code == 303
    stored = fresh(LiveQuestion, question.id)
    assert stored.status is QuestionStatus.ANSWERED and stored.answer == "Abre en marzo."
    assert "Abre en marzo." in neighbour.get(url).get_data(as_text=True)


def test_dismissal_needs_a_reason_and_hides_the_question(make, make_client, live, people):
    question = make.make_live_question(live, people["citizen"], status=QuestionStatus.PENDING, body="Texto ofensivo")
    moderator = logged_in(make_client, people["moderator"])
    url = f"{session_url(live)}/preguntas/{question.id}/moderar"
    before = table_row_counts()
    response = post(moderator, url, {"decision": "dismiss", "reason": ""})
    assert response.status_code == 400
    assert table_row_counts() == before and fresh(LiveQuestion, question.id).status is QuestionStatus.PENDING

    assert post(moderator, url, {"decision": "dismiss", "reason": "No respeta a las personas."}).status_code == 303
    assert fresh(LiveQuestion, question.id).status is QuestionStatus.DISMISSED
    author = logged_in(make_client, people["citizen"])
    assert "No respeta a las personas." in author.get(session_url(live)).get_data(as_text=True)
    neighbour = logged_in(make_client, people["neighbour"])
    assert "Texto ofensivo" not in neighbour.get(session_url(live)).get_data(as_text=True)
    assert "Texto ofensivo" not in neighbour.get(f"{session_url(live)}/estado.json").get_data(as_text=True)


def test_refused_questions_store_nothing(make, make_client, live, people):
    citizen = logged_in(make_client, people["citizen"])
    url = f"{session_url(live)}/preguntas"
    other = make.make_live_session(org=people["organism"])
    before = table_row_counts()

    response = post(citizen, url, {"body": ""})
    assert response.status_code == 400 and "Escribe tu pregunta" in flash_text(response)
    response = post(citizen, url, {"body": "¿" + "a" * 600 + "?"})
    assert response.status_code == 400
    response = post(citizen, url, {"body": "¿Y este tema?", "item": other.agenda[0].id})
    assert response.status_code == 404
    response = post(citizen, url, {"body": "¿Y este tema?", "item": "abc"})
    assert response.status_code == 400
    assert table_row_counts() == before


def test_citizens_cannot_run_the_session(make, make_client, live, people):
    question = make.make_live_question(live, people["neighbour"], status=QuestionStatus.PENDING)
    poll = make.make_live_poll(live)
    citizen = logged_in(make_client, people["citizen"])
    url = session_url(live)
    before = table_row_counts()
    attempts = [
        (f"{url}/preguntas/{question.id}/moderar", {"decision": "approve"}),
        (f"{url}/avanzar", {}),
        (f"{url}/encuestas", {"question": "¿Sí?", "options-0": "Sí", "options-1": "No"}),
        (f"{url}/encuestas/{poll.id}/cerrar", {}),
        (f"{url}/compromisos", {"body": "Arreglar", "organism": people["organism"].id, "due_on": "2030-01-01"}),
    ]
    for target, data in attempts:
        response = post(citizen, target, data)
        assert response.status_code == 403, target
        assert "moderan" in flash_text(response)
    assert table_row_counts() == before
    assert client_redirects_to_login(make_client, f"{url}/preguntas")


def client_redirects_to_login(make_client, url) -> bool:
    client = make_client()
    response = client.post(url, data={"csrf_token": csrf_token(client, "/cuenta/registro"), "body": "¿Hola?"})
    return response.status_code == 302 and "/cuenta/ingresar" in response.location


def test_ids_of_another_session_are_not_found(make, make_client, live, people):
    other = make.make_live_session(org=people["organism"], moderators=[people["moderator"]])
    foreign_question = make.make_live_question(other, people["citizen"], status=QuestionStatus.PENDING)
    foreign_poll = make.make_live_poll(other)
    moderator = logged_in(make_client, people["moderator"])
    url = session_url(live)
    before = table_row_counts()
    assert post(moderator, f"{url}/preguntas/{foreign_question.id}/moderar", {"decision": "approve"}).status_code == 404
    assert post(moderator, f"{url}/encuestas/{foreign_poll.id}/cerrar").status_code == 404
    option = foreign_poll.options[0].id
    assert post(moderator, f"{url}/encuestas/{foreign_poll.id}/votar", {"option": option}).status_code == 404
    assert table_row_counts() == before


def test_polls_launch_vote_once_and_close(make_client, live, people):
    moderator = logged_in(make_client, people["moderator"])
    citizen = logged_in(make_client, people["citizen"])
    url = session_url(live)
    before = table_row_counts()
    response = post(moderator, f"{url}/encuestas", {"question": "¿Fue clara?", "options-0": "Sí"})
    assert response.status_code == 400
    assert table_row_counts() == before

    data = {"question": "¿Fue clara la información?", "options-0": "Sí", "options-1": "En parte", "options-2": "No"}
    assert post(moderator, f"{url}/encuestas", data).status_code == 303
    poll = db.session.scalar(select(LivePoll).where(LivePoll.session_id == live.id))
    assert [o.label for o in poll.options] == ["Sí", "En parte", "No"]
    assert "¿Fue clara la información?" in citizen.get(url).get_data(as_text=True)

    yes = poll.options[0].id
    assert post(citizen, f"{url}/encuestas/{poll.id}/votar", {"option": yes}).status_code == 303
    before = table_row_counts()
    assert post(citizen, f"{url}/encuestas/{poll.id}/votar", {"option": poll.options[1].id}).status_code == 409
    assert post(citizen, f"{url}/encuestas/{poll.id}/votar", {}).status_code == 400
    assert table_row_counts() == before
    assert count(LivePollVote, LivePollVote.poll_id == poll.id) == 1
    assert "Tu voto:" in citizen.get(url).get_data(as_text=True)

    assert post(moderator, f"{url}/encuestas/{poll.id}/cerrar").status_code == 303
    assert fresh(LivePoll, poll.id).status is PollStatus.CLOSED
    neighbour = logged_in(make_client, people["neighbour"])
    response = post(neighbour, f"{url}/encuestas/{poll.id}/votar", {"option": yes})
    assert response.status_code in (403, 409)
    assert count(LivePollVote, LivePollVote.poll_id == poll.id) == 1


def test_moderator_advances_the_agenda(make_client, live, announced, people):
    moderator = logged_in(make_client, people["moderator"])
    url = session_url(live)
    assert post(moderator, f"{url}/avanzar").status_code == 303
    assert fresh(LiveSession, live.id).current_position == 0
    assert post(moderator, f"{url}/avanzar", {"position": "1"}).status_code == 303
    assert fresh(LiveSession, live.id).current_position == 1
    assert "Presupuesto participativo" in moderator.get(url).get_data(as_text=True)
    assert post(moderator, f"{url}/avanzar", {"position": "x"}).status_code == 400
    # Before the session opens the agenda does not move.
    assert post(moderator, f"{session_url(announced)}/avanzar").status_code == 409
    assert fresh(LiveSession, announced.id).current_position is None


def test_commitments_become_trackable_actions(make_client, live, people):
    moderator = logged_in(make_client, people["moderator"])
    url = session_url(live)
    action = live.agenda[0].action
    due = (local_today() + timedelta(days=60)).isoformat()
    before = table_row_counts()
    response = post(moderator, f"{url}/compromisos", {"body": "", "organism": people["organism"].id, "due_on": due})
    assert response.status_code == 400
    response = post(moderator, f"{url}/compromisos", {"body": "Abrir la biblioteca", "organism": "x", "due_on": due})
    assert response.status_code == 400
    assert table_row_counts() == before

    data = {
        "body": "Abrir la biblioteca en marzo",
        "organism": people["organism"].id,
        "due_on": due,
        "action": action.id,
    }
    assert post(moderator, f"{url}/compromisos", data).status_code == 303
    commitment = db.session.scalar(select(Commitment).where(Commitment.session_id == live.id))
    assert commitment.action_id == action.id
    assert db.session.get(Action, commitment.tracking_action_id) is not None
    html = logged_in(make_client, people["citizen"]).get(url).get_data(as_text=True)
    assert "Abrir la biblioteca en marzo" in html and f"/acciones/{commitment.tracking_action_id}" in html


def test_state_json_is_the_snapshot(make_client, live, people):
    response = logged_in(make_client, people["citizen"]).get(f"{session_url(live)}/estado.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["space"] == live.space_id and data["live"] is True
    assert [item["title"] for item in data["agenda"]] == [
        "Avance de la escuela de liderazgo",
        "Presupuesto participativo",
    ]


def test_drafts_stay_hidden(make, make_client, people):
    draft = make.make_live_session(state=SpaceState.DRAFT, moderators=[people["moderator"]], org=people["organism"])
    citizen = logged_in(make_client, people["citizen"])
    for suffix in ("", "/estado.json", "/acta", "/acta.txt"):
        assert citizen.get(session_url(draft) + suffix).status_code == 404
    before = table_row_counts()
    assert post(citizen, f"{session_url(draft)}/preguntas", {"body": "¿Hola?"}).status_code == 404
    assert table_row_counts() == before
    assert logged_in(make_client, people["official"]).get(session_url(draft)).status_code == 200


def test_other_kinds_of_space_have_no_session_page(make, client, people):
    forum = make.make_space(people["organism"])
    assert client.get(f"/espacios/{forum.id}/sesion").status_code == 404


def test_session_page_query_count_does_not_grow_with_questions(make, make_client, people, count_queries):
    small = make.make_live_session(org=people["organism"], moderators=[people["moderator"]])
    big = make.make_live_session(org=people["organism"], moderators=[people["moderator"]], agenda=("A", "B", "C"))
    for live, n in ((small, 1), (big, 12)):
        for i in range(n):
            author = make.make_user()
            make.make_live_question(live, author, body=f"¿Pregunta {i}?", upvotes=i % 3)
            make.make_live_question(live, author, status=QuestionStatus.PENDING, body=f"¿Pendiente {i}?")
        make.make_live_poll(live)
    for user in (people["moderator"], people["citizen"]):
        client = logged_in(make_client, user)
        client.get(session_url(small))
        with count_queries() as few:
            assert client.get(session_url(small)).status_code == 200
        with count_queries() as many:
            assert client.get(session_url(big)).status_code == 200
        assert many.count == few.count, (few.statements, many.statements)


# --- Settings and agenda -------------------------------------------------------------------------


def test_settings_stream_and_co_organisers(make, make_client, announced, people):
    official = logged_in(make_client, people["official"])
    url = f"{session_url(announced)}/configurar"
    assert official.get(url).status_code == 200
    other_organism = make.organism("SSP")
    before = table_row_counts()
    response = post(official, url, {"stream_url": "https://ejemplo.com/video"})
    assert response.status_code == 400
    assert table_row_counts() == before

    response = post(
        official, url, {"stream_url": "https://www.youtube.com/watch?v=abc123XYZ_0", "organism_ids": other_organism.id}
    )
    assert response.status_code == 303
    stored = fresh(LiveSession, announced.id)
    assert stored.stream_url.startswith("https://www.youtube-nocookie.com/embed/")
    assert [o.id for o in stored.organisms] == [other_organism.id]
    assert logged_in(make_client, people["citizen"]).get(url).status_code == 403


def test_agenda_add_edit_move_remove(make, make_client, announced, people):
    official = logged_in(make_client, people["official"])
    base = f"{session_url(announced)}/agenda"
    before = table_row_counts()
    assert post(official, base, {"new-title": ""}).status_code == 400
    assert table_row_counts() == before

    action = make.make_action(make.make_plan(people["organism"], announced.space.cycle))
    response = post(
        official, base, {"new-title": "Obras de la ladera", "new-notes": "Informe", "new-action": action.id}
    )
    assert response.status_code == 303
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.session_id == announced.id).order_by(AgendaItem.position)
    ).all()
    assert [i.title for i in items][-1] == "Obras de la ladera" and items[-1].action_id == action.id
    new = items[-1]
    new_id = new.id

    data = {f"item-{new.id}-title": "Obras de la ladera 2027", f"item-{new.id}-notes": "", f"item-{new.id}-action": ""}
    assert post(official, f"{base}/{new.id}", data).status_code == 303
    assert fresh(AgendaItem, new.id).title == "Obras de la ladera 2027"
    assert fresh(AgendaItem, new.id).action_id is None

    assert post(official, f"{base}/{new.id}/mover", {"direction": "-1"}).status_code == 303
    assert fresh(AgendaItem, new.id).position == 0
    assert post(official, f"{base}/{new.id}/mover", {"direction": "7"}).status_code == 400

    assert post(official, f"{base}/{new_id}/quitar").status_code == 303
    assert fresh(AgendaItem, new_id) is None

    citizen = logged_in(make_client, people["citizen"])
    assert post(citizen, base, {"new-title": "Otro"}).status_code == 403


# --- After the session ---------------------------------------------------------------------------


@pytest.fixture
def closed(make, people):
    live = make.make_live_session(state=SpaceState.CLOSED, moderators=[people["moderator"]], org=people["organism"])
    make.make_live_question(live, people["citizen"], status=QuestionStatus.ANSWERED, body="¿Respondida?")
    make.make_live_question(live, people["citizen"], status=QuestionStatus.APPROVED, body="¿Quedó debiendo?")
    make.make_live_question(live, people["neighbour"], status=QuestionStatus.DISMISSED, body="Texto descartado")
    make.make_live_question(live, people["neighbour"], status=QuestionStatus.PENDING, body="Texto sin revisar")
    db.session.add(LiveAttendance(session_id=live.id, user_id=people["citizen"].id, registered_at=now_utc()))
    db.session.commit()
    return live


def test_record_is_public_after_the_session(make_client, client, closed, live, people):
    assert client.get(f"{session_url(live)}/acta").status_code == 404
    assert client.get(f"{session_url(live)}/acta.txt").status_code == 404

    response = client.get(f"{session_url(closed)}/acta")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "¿Respondida?" in html and "La obra termina en marzo." in html
    assert "¿Quedó debiendo?" in html and "debe responder por escrito" in html
    assert "Pendiente desde" in html
    assert "No se refiere a los temas de la sesión." in html
    assert "Texto descartado" not in html and "Texto sin revisar" not in html

    download = client.get(f"{session_url(closed)}/acta.txt")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = download.get_data(as_text=True)
    assert "¿Respondida?" in text and "Texto descartado" not in text

    page = logged_in(make_client, people["citizen"]).get(session_url(closed)).get_data(as_text=True)
    assert "Ver el acta de la sesión" in page and "Evaluar la sesión" in page


def test_staff_answer_owed_questions_in_writing(make_client, closed, people):
    owed = db.session.scalar(select(LiveQuestion).where(LiveQuestion.body == "¿Quedó debiendo?"))
    official = logged_in(make_client, people["official"])
    url = f"{session_url(closed)}/preguntas/{owed.id}/responder"
    assert official.get(url).status_code == 200
    before = table_row_counts()
    assert post(official, url, {"answer": ""}).status_code == 400
    assert table_row_counts() == before
    response = post(official, url, {"answer": "La obra empieza en abril."})
    assert response.status_code == 303
    stored = fresh(LiveQuestion, owed.id)
    assert stored.answer == "La obra empieza en abril." and stored.answered_in_writing
    assert official.get(url).status_code == 404  # no longer owed
    assert logged_in(make_client, people["citizen"]).get(url).status_code == 403


def test_attendees_evaluate_the_session(make_client, closed, people):
    citizen = logged_in(make_client, people["citizen"])
    url = f"{session_url(closed)}/evaluar"
    assert citizen.get(url).status_code == 200
    before = table_row_counts()
    response = post(citizen, url, {"information_clear": "3", "questions_answered": "9", "usefulness": "4"})
    assert response.status_code == 400
    assert table_row_counts() == before
    data = {"information_clear": "3", "questions_answered": "2", "usefulness": "4", "comment": "Muy útil."}
    assert post(citizen, url, data).status_code == 303
    assert count(SessionEvaluation, SessionEvaluation.session_id == closed.id) == 1
    html = citizen.get(f"{session_url(closed)}/acta").get_data(as_text=True)
    assert "Muy útil." in html and "4.0" in html

    neighbour = logged_in(make_client, people["neighbour"])
    assert neighbour.get(url).status_code == 403
    assert post(neighbour, url, data).status_code == 403
    assert count(SessionEvaluation, SessionEvaluation.session_id == closed.id) == 1


def test_upvote_needs_an_approved_question_of_someone_else(make, make_client, live, people):
    own = make.make_live_question(live, people["citizen"])
    pending = make.make_live_question(live, people["neighbour"], status=QuestionStatus.PENDING)
    citizen = logged_in(make_client, people["citizen"])
    before = table_row_counts()
    assert post(citizen, f"{session_url(live)}/preguntas/{own.id}/apoyar").status_code == 403
    assert post(citizen, f"{session_url(live)}/preguntas/{pending.id}/apoyar").status_code in (403, 404)
    assert table_row_counts() == before
    assert count(QuestionUpvote) == 0
