"""The live session where it meets the rest of Foro: the space's lifecycle (opening and closing it from the
space page reaches the room; the institutional response waits for the owed answers), the commitments on
the action and traceability pages, and the demo's sessions."""

from datetime import timedelta

import pytest

from foro.extensions import db
from foro.models import Commitment, LiveSession, QuestionStatus, Role, Space, SpaceState
from foro.services import followup, live_sessions
from foro.timeutil import local_today
from tests.helpers import login, post_form
from tests.live_socket_client import LiveSocket


@pytest.fixture
def scene(make):
    official = make.make_official("SSP")
    moderator = make.make_user(Role.MODERATOR)
    citizen = make.make_user(display_name="Rosa Chocué")
    session = make.make_live_session(
        state=SpaceState.ANNOUNCED, moderators=[moderator], org=make.organism("SSP")
    )
    return {
        "official": official,
        "moderator": moderator,
        "citizen": citizen,
        "session": session,
        "space": session.space,
    }


def _move(client, space, target: SpaceState, **fields):
    return post_form(client, f"/espacios/{space.id}/estado", {"target": target.value, **fields},
                     token_from=f"/espacios/{space.id}")


def test_opening_and_closing_from_the_space_page_reaches_the_room(app, client, scene):
    space = scene["space"]
    watcher = LiveSocket(app)
    try:
        assert watcher.join(space.id)["state"] == "announced"
        login(client, scene["official"])

        assert _move(client, space, SpaceState.OPEN).status_code == 302
        opened = watcher.received("session")
        assert [(e["state"], e["live"]) for e in opened] == [("open", True)]

        assert _move(client, space, SpaceState.CLOSED).status_code == 302
        closed = watcher.received("session")
        assert [(e["state"], e["live"]) for e in closed] == [("closed", False)]
        assert closed[0]["revision"] > opened[0]["revision"]
        assert watcher.call("snapshot", {"space": space.id})["snapshot"]["revision"] == closed[0]["revision"]
    finally:
        watcher.close()


def test_the_response_waits_for_every_owed_answer(client, make, scene):
    space = scene["space"]
    session = scene["session"]
    question = make.make_live_question(session, scene["citizen"], status=QuestionStatus.APPROVED)
    space.state = SpaceState.RESULTS_PUBLISHED
    db.session.commit()
    login(client, scene["official"])

    refused = _move(client, space, SpaceState.RESPONSE_GIVEN, response="<p>Respondimos todo.</p>")
    assert refused.status_code == 409
    assert "Falta responder por escrito 1 pregunta" in refused.get_data(as_text=True)
    db.session.refresh(space)
    assert space.state is SpaceState.RESULTS_PUBLISHED

    live_sessions.answer_in_writing(scene["official"], space, question.id, answer="La brigada vuelve en marzo.")
    db.session.commit()
    assert _move(client, space, SpaceState.RESPONSE_GIVEN, response="<p>Respondimos todo.</p>").status_code == 302
    db.session.refresh(space)
    assert space.state is SpaceState.RESPONSE_GIVEN


def test_a_commitment_is_followed_as_an_action_and_traced_back_to_its_session(client, make, scene):
    space, moderator = scene["space"], scene["moderator"]
    plan_action = make.make_action(make.make_plan(make.organism("SSP")), title="Red pública de salud")
    space.state = SpaceState.OPEN
    db.session.commit()
    commitment, _ = live_sessions.record_commitment(
        moderator,
        space,
        body="Ampliar el horario del puesto de salud de Siloé hasta las 7 de la noche.",
        organism_id=space.organism_id,
        due_on=local_today() + timedelta(days=30),
        action_id=plan_action.id,
    )
    db.session.commit()
    tracking = commitment.tracking_action
    followup.publish_update(
        scene["official"],
        tracking,
        followup.ProgressDetails(
            reported_on=local_today(), percent_done=50, status="in_progress", body="Rige de lunes a jueves."
        ),
    )
    db.session.commit()

    tracking_page = client.get(f"/acciones/{tracking.id}").get_data(as_text=True)
    assert "Esta acción sigue un compromiso que Secretaría de Salud Pública adquirió" in tracking_page
    assert f'href="/espacios/{space.id}/sesion/acta"' in tracking_page
    assert "Rige de lunes a jueves." in tracking_page

    about_page = client.get(f"/acciones/{plan_action.id}").get_data(as_text=True)
    assert "se adquirió 1 compromiso sobre esta acción" in about_page
    assert f'href="/acciones/{tracking.id}"' in about_page

    trace = client.get(f"/acciones/{plan_action.id}/trazabilidad").get_data(as_text=True)
    assert "Compromisos de rendición de cuentas sobre esta acción" in trace
    assert f'href="/espacios/{space.id}/sesion/acta"' in trace
    assert db.session.get(Commitment, commitment.id).tracking_action_id == tracking.id


@pytest.mark.usefixtures("reference")
def test_the_demo_sessions_show_each_moment_of_a_session(app, client, monkeypatch):
    from foro.services import accounts

    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    sessions = {
        s.space.title: s.space
        for s in db.session.scalars(db.select(LiveSession).join(Space).order_by(Space.id))
    }
    running = sessions["En vivo: avance de las ciclorrutas de la ciudad"]
    running_page = client.get(f"/espacios/{running.id}/sesion").get_data(as_text=True)
    assert "En la ciclorruta de la calle 5 hay carros parqueados" in running_page
    assert "Respondiéndose ahora" in running_page
    # Waiting for moderation and dismissed: not for visitors.
    assert "biciparqueaderos" not in running_page and "300 000 0000" not in running_page

    closed = sessions["Audiencia de evaluación del programa de arborización"]
    record = client.get(f"/espacios/{closed.id}/sesion/acta").get_data(as_text=True)
    assert "Preguntas que el organismo debe responder por escrito" in record
    assert "¿Se van a reponer los árboles que se secaron" in record

    answered = sessions["Sesión de seguimiento con los Comités de Participación Comunitaria en Salud (COPACOS)"]
    download = client.get(f"/espacios/{answered.id}/sesion/acta.txt")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    text = download.get_data(as_text=True)
    assert "Instalar en cada centro de salud un buzón de sugerencias" in text
    assert "La brigada vuelve a la comuna 7" in text


def test_closing_invites_the_attendees_who_may_rate_it_to_evaluate(client, make, scene):
    from foro.models import LiveAttendance, Notification

    space, session = scene["space"], scene["session"]
    registered, joined = scene["citizen"], make.make_user()
    db.session.add_all(
        [
            LiveAttendance(session_id=session.id, user_id=registered.id, registered_at=space.opens_at),
            LiveAttendance(session_id=session.id, user_id=joined.id, joined_at=space.opens_at),
            # The moderator ran it and the official reported in it: they are not asked to rate it.
            LiveAttendance(session_id=session.id, user_id=scene["moderator"].id, joined_at=space.opens_at),
            LiveAttendance(session_id=session.id, user_id=scene["official"].id, joined_at=space.opens_at),
        ]
    )
    space.state = SpaceState.OPEN
    db.session.commit()
    login(client, scene["official"])
    assert _move(client, space, SpaceState.CLOSED).status_code == 302

    invited = db.session.scalars(db.select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in invited] == sorted([registered.id, joined.id])
    assert all(n.url == f"/espacios/{space.id}/sesion/evaluar" and "Evalúala" in n.message for n in invited)
