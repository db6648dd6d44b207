"""Follow-up of plan actions: progress reports, follows, citizen evaluations and control-social
observations, through the HTTP forms, with their refusals, races and the action page's query count."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from foro.errors import NotAllowed
from foro.extensions import db
from foro.models import (
    Action,
    ActionEvaluation,
    ActionStatus,
    AnswerDecision,
    ControlObservation,
    Notification,
    NotificationKind,
    ProgressUpdate,
    ProposalAnswer,
    ProposalCoauthor,
    Role,
    action_follows,
)
from foro.models.proposal import proposal_follows
from foro.services import followup
from foro.timeutil import local_today, now_utc
from tests.helpers import csrf_token, login, post_form, race, table_row_counts


def count(table) -> int:
    # End the test's own transaction: on SQLite an open read transaction would keep seeing an old snapshot.
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(table))


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def action_url(action) -> str:
    return f"/acciones/{action.id}"


def update_url(action) -> str:
    return f"/acciones/{action.id}/avances/nuevo"


def evaluate_url(action) -> str:
    return f"/acciones/{action.id}/evaluar"


def observe_url(action) -> str:
    return f"/acciones/{action.id}/observaciones/nueva"


def answer_url(observation) -> str:
    return f"/acciones/{observation.action_id}/observaciones/{observation.id}/respuesta"


def follow_url(action) -> str:
    return f"/acciones/{action.id}/seguir"


def update_data(**overrides) -> dict:
    data = {
        "reported_on": (local_today() - timedelta(days=1)).isoformat(),
        "indicator_value": "180",
        "percent_done": "60",
        "status": "in_progress",
        "body": "Se formaron 60 líderes en la comuna 18.\n\nFaltan los talleres de la ladera.",
        "evidence_links": "https://www.cali.gov.co/participacion/informe.pdf\r\nhttp://datos.cali.gov.co/lideres.csv",
    }
    data.update(overrides)
    return data


def observation_row(action, author, body="La obra está detenida desde agosto.", **fields) -> ControlObservation:
    row = ControlObservation(action_id=action.id, author_id=author.id if author else None, body=body, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def evaluation_row(action, user, fulfilment=4, effect=3, comment="", territory=None) -> ActionEvaluation:
    row = ActionEvaluation(
        action_id=action.id,
        user_id=user.id,
        fulfilment=fulfilment,
        effect=effect,
        comment=comment,
        territory_id=territory.id if territory else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def update_row(action, author, reported_on=None, **fields) -> ProgressUpdate:
    values = dict(percent_done=50, status=ActionStatus.IN_PROGRESS, body="<p>Avance de la obra.</p>")
    values.update(fields)
    row = ProgressUpdate(action_id=action.id, author_id=author.id, reported_on=reported_on or local_today(), **values)
    db.session.add(row)
    db.session.commit()
    return row


def future_cycle_action(make, **fields) -> Action:
    """An action of next year's plan: its evaluation phase has not started."""
    cycle = make.make_cycle(local_today().year + 1)
    return make.make_action(make.make_plan(cycle=cycle), **fields)


def shared_browsers(make_client, user, url, n):
    """``n`` browsers logged in as ``user`` in one session (so one CSRF token serves them all)."""
    first = make_client()
    login(first, user)
    token = csrf_token(first, url)
    cookie = first.get_cookie("session")
    browsers = [first]
    for _ in range(n - 1):
        other = make_client()
        other.set_cookie("session", cookie.value, domain=cookie.domain)
        browsers.append(other)
    return browsers, token


# --- Progress reports ------------------------------------------------------------------------------


def test_official_publishes_a_report_that_updates_the_action_and_shows_on_its_page(client, make):
    official = make.make_official()
    action = make.make_action(indicator_current=Decimal(120), indicator_measured_on=local_today() - timedelta(days=30))
    login(client, official)
    assert client.get(update_url(action)).status_code == 200

    response = post_form(client, update_url(action), update_data(), token_from=update_url(action))

    assert response.status_code == 302
    assert response.location.endswith(f"/acciones/{action.id}#avances")
    row = db.session.scalars(select(ProgressUpdate)).one()
    assert row.percent_done == 60 and row.indicator_value == Decimal(180) and row.author_id == official.id
    assert row.body == "<p>Se formaron 60 líderes en la comuna 18.</p><p>Faltan los talleres de la ladera.</p>"
    assert (
        row.evidence_links == "https://www.cali.gov.co/participacion/informe.pdf\nhttp://datos.cali.gov.co/lideres.csv"
    )
    action = fresh(Action, action.id)
    assert action.indicator_current == Decimal(180)
    assert action.indicator_measured_on == local_today() - timedelta(days=1)
    assert action.status is ActionStatus.IN_PROGRESS

    html = client.get(action_url(action)).get_data(as_text=True)
    assert "El reporte de avance quedó publicado" in html
    assert "Reportes de avance" in html and "60 %" in html
    assert "<p>Se formaron 60 líderes en la comuna 18.</p>" in html
    assert 'href="https://www.cali.gov.co/participacion/informe.pdf" rel="nofollow noopener noreferrer"' in html
    assert "180 personas" in html
    assert f'href="/acciones/{action.id}/avances/nuevo"' in html


def test_an_older_report_does_not_replace_the_newer_state(client, make):
    official = make.make_official()
    action = make.make_action(indicator_current=None, indicator_measured_on=None, status=ActionStatus.PLANNED)
    login(client, official)
    newer = (local_today() - timedelta(days=2)).isoformat()
    older = (local_today() - timedelta(days=20)).isoformat()

    def report(**fields) -> int:
        return post_form(client, update_url(action), update_data(**fields)).status_code

    assert report(reported_on=newer, status="done", indicator_value="300") == 302
    assert report(reported_on=older, status="suspended", indicator_value="10") == 302
    # A newer report without a measurement changes the status but keeps the last measured value.
    assert report(reported_on=local_today().isoformat(), status="in_progress", indicator_value="") == 302

    action = fresh(Action, action.id)
    assert action.status is ActionStatus.IN_PROGRESS
    assert action.indicator_current == Decimal(300)
    assert action.indicator_measured_on == local_today() - timedelta(days=2)
    html = client.get(action_url(action)).get_data(as_text=True)
    # The timeline runs newest first by the report's date.
    dates = [m for m in re.findall(r"Reporte del ([^<]+)</h3>", html)]
    assert len(dates) == 3


def test_a_report_notifies_followers_and_the_people_behind_the_proposals_once_each(client, make):
    official = make.make_official()
    action = make.make_action()
    other_action = make.make_action()
    follower, author, coauthor, proposal_follower, both, stranger = (make.make_user() for _ in range(6))
    call = make.make_call(make.organism())
    proposal = make.make_proposal(call, author)
    second = make.make_proposal(call, both)
    unrelated = make.make_proposal(call, stranger)
    db.session.add_all(
        [
            ProposalAnswer(
                proposal_id=proposal.id, decision=AnswerDecision.ACCEPTED, reason="Cabe.", action_id=action.id
            ),
            ProposalAnswer(
                proposal_id=second.id, decision=AnswerDecision.PARTLY_ACCEPTED, reason="En parte.", action_id=action.id
            ),
            ProposalAnswer(
                proposal_id=unrelated.id, decision=AnswerDecision.ACCEPTED, reason="Otra.", action_id=other_action.id
            ),
            ProposalCoauthor(proposal_id=proposal.id, user_id=coauthor.id, accepted_at=now_utc()),
            # An invitation not accepted does not make a co-author.
            ProposalCoauthor(proposal_id=proposal.id, user_id=stranger.id),
        ]
    )
    db.session.execute(insert(action_follows).values(action_id=action.id, user_id=follower.id))
    db.session.execute(insert(action_follows).values(action_id=action.id, user_id=both.id))
    db.session.execute(insert(action_follows).values(action_id=action.id, user_id=official.id))
    db.session.execute(insert(proposal_follows).values(proposal_id=proposal.id, user_id=proposal_follower.id))
    db.session.execute(insert(proposal_follows).values(proposal_id=proposal.id, user_id=both.id))
    db.session.commit()
    login(client, official)

    assert post_form(client, update_url(action), update_data()).status_code == 302

    db.session.rollback()
    notified = db.session.execute(
        select(Notification.user_id, Notification.kind, Notification.message, Notification.url)
    ).all()
    by_user = {row.user_id: row for row in notified}
    assert len(notified) == len(by_user) == 5
    assert set(by_user) == {follower.id, author.id, coauthor.id, proposal_follower.id, both.id}
    assert all(row.kind is NotificationKind.FOLLOWED_ITEM for row in notified)
    assert all(row.url == f"/acciones/{action.id}#avances" for row in notified)
    assert "una acción que sigues" in by_user[follower.id].message
    assert "una acción que sigues" in by_user[both.id].message
    assert f"la propuesta «{proposal.title}»" in by_user[author.id].message


def test_reports_from_outside_the_organism_are_refused_and_store_nothing(make, make_client):
    action = make.make_action()
    for user in (make.make_official("SSP"), make.make_user(), make.make_user(Role.MODERATOR)):
        browser = make_client()
        login(browser, user)
        before = table_row_counts()
        assert browser.get(update_url(action)).status_code == 403
        response = post_form(browser, update_url(action), update_data(), token_from="/cuenta")
        assert response.status_code == 403
        assert "Solo el personal del organismo responsable" in response.get_data(as_text=True)
        assert table_row_counts() == before
    with pytest.raises(NotAllowed):
        followup.publish_update(
            make.make_official("SSP"),
            action,
            followup.ProgressDetails(local_today(), 10, "in_progress", "Avance"),
        )


def test_admin_may_report_on_any_action(client, make):
    action = make.make_action()
    login(client, make.make_user(Role.ADMIN))
    assert post_form(client, update_url(action), update_data()).status_code == 302
    assert count(ProgressUpdate) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"percent_done": "101"}, "El porcentaje de avance debe estar entre 0 y 100."),
        ({"percent_done": "-1"}, "El porcentaje de avance debe estar entre 0 y 100."),
        ({"percent_done": "mucho"}, "No es un valor entero válido."),
        ({"percent_done": ""}, "Escribe el porcentaje de avance, de 0 a 100."),
        ({"reported_on": (date.today() + timedelta(days=2)).isoformat()}, "no puede ser posterior a hoy"),
        ({"reported_on": ""}, "Indica la fecha del reporte."),
        ({"status": "finished"}, "Elige un estado de la lista."),
        ({"indicator_value": "1.234"}, "admite como máximo dos decimales"),
        ({"indicator_value": "NaN"}, "Escribe un número"),
        ({"body": ""}, "Escribe el texto del reporte: es un campo obligatorio."),
        ({"body": " \u200b "}, "Escribe el texto del reporte: es un campo obligatorio."),
        ({"body": "<script>alert(1)</script>"}, "El texto quedó vacío"),
        ({"body": "a" * 10_001}, "admite hasta 10000 caracteres"),
        ({"evidence_links": "javascript:alert(1)"}, "no es una dirección web válida"),
        ({"evidence_links": "https://cali.gov.co/a\njav&#x09;ascript:alert(1)"}, "no es una dirección web válida"),
        ({"evidence_links": "java\u200bscript:alert(1)"}, "no es una dirección web válida"),
        ({"evidence_links": "data:text/html;base64,PHNjcmlwdD4="}, "no es una dirección web válida"),
        ({"evidence_links": "ftp://cali.gov.co/informe.pdf"}, "no es una dirección web válida"),
        ({"evidence_links": "https://cali.gov.co/un informe.pdf"}, "no es una dirección web válida"),
        ({"evidence_links": "https://"}, "no es una dirección web válida"),
        ({"evidence_links": "https://cali.gov.co/" + "a" * 500}, "Cada enlace admite hasta 500 caracteres."),
        (
            {"evidence_links": "\n".join(f"https://cali.gov.co/{n}" for n in range(21))},
            "Puedes adjuntar hasta 20 enlaces.",
        ),
    ],
)
def test_invalid_reports_are_refused_in_spanish_and_store_nothing(client, make, overrides, message):
    action = make.make_action(status=ActionStatus.PLANNED)
    login(client, make.make_official())
    before = table_row_counts()

    response = post_form(client, update_url(action), update_data(**overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before
    action = fresh(Action, action.id)
    assert action.status is ActionStatus.PLANNED and action.indicator_current == Decimal(120)


def test_markup_in_a_report_is_cut_to_the_allow_list(client, make):
    action = make.make_action()
    login(client, make.make_official())
    body = '<p>Avance <a href="javascript:alert(1)">ver</a> <img src=x onerror=alert(1)> {{7*7}}</p>'
    assert post_form(client, update_url(action), update_data(body=body)).status_code == 302
    html = client.get(action_url(action)).get_data(as_text=True)
    assert "javascript:" not in html and "onerror" not in html
    assert "{{7*7}}" in html


def test_parallel_reports_leave_the_newest_one_as_the_actions_state(app, make, make_client):
    action = make.make_action(indicator_current=None, indicator_measured_on=None)
    url = update_url(action)
    browsers, token = shared_browsers(make_client, make.make_official(), url, 6)
    statuses = ["planned", "in_progress", "suspended", "planned", "in_progress", "done"]
    posts = [
        lambda b=browser, n=index: b.post(
            url,
            data=update_data(
                csrf_token=token,
                # The newest date goes to the first browser, so the newest report is not simply the last one.
                reported_on=(local_today() - timedelta(days=n)).isoformat(),
                status=statuses[n],
                indicator_value=str(100 - n),
            ),
        )
        for index, browser in enumerate(browsers)
    ]

    responses = race(posts)

    assert [r.status_code for r in responses] == [302] * 6
    assert count(ProgressUpdate) == 6
    action = fresh(Action, action.id)
    assert action.status is ActionStatus.PLANNED
    assert action.indicator_current == Decimal(100) and action.indicator_measured_on == local_today()


# --- Follows ---------------------------------------------------------------------------------------


def test_following_is_idempotent_and_can_be_undone(client, make):
    action = make.make_action()
    citizen = make.make_user()
    login(client, citizen)
    html = client.get(action_url(action)).get_data(as_text=True)
    assert "Seguir la acción" in html

    for _ in range(2):
        response = post_form(client, follow_url(action), {"action": "add"})
        assert response.status_code == 302
    assert count(action_follows) == 1
    html = client.get(action_url(action)).get_data(as_text=True)
    assert "Dejar de seguir la acción" in html

    for _ in range(2):
        assert post_form(client, follow_url(action), {"action": "remove"}).status_code == 302
    assert count(action_follows) == 0


def test_follow_needs_log_in_and_a_known_action(client, make):
    action = make.make_action()
    response = post_form(client, follow_url(action), {"action": "add"})
    assert response.status_code == 302 and "/cuenta/ingresar" in response.location
    login(client, make.make_user())
    assert post_form(client, follow_url(action), {"action": "seguir"}, token_from="/cuenta").status_code == 400
    for missing in ("99999999999999999999", "0", str(action.id + 1000)):
        response = post_form(client, f"/acciones/{missing}/seguir", {"action": "add"}, token_from="/cuenta")
        assert response.status_code == 404
    assert client.post(follow_url(action), data={"action": "add"}).status_code == 400
    assert count(action_follows) == 0


def test_parallel_follows_store_one_row(app, make, make_client):
    action = make.make_action()
    browsers, token = shared_browsers(make_client, make.make_user(), action_url(action), 8)
    data = {"csrf_token": token, "action": "add"}
    url = follow_url(action)

    responses = race([lambda b=browser: b.post(url, data=data) for browser in browsers])

    assert [r.status_code for r in responses] == [302] * 8
    assert count(action_follows) == 1


# --- Evaluations -----------------------------------------------------------------------------------


def test_citizen_evaluates_a_done_action_and_changes_the_rating(client, make):
    action = future_cycle_action(make, status=ActionStatus.DONE)
    citizen = make.make_user(territory=make.territory(18))
    login(client, citizen)
    page = client.get(evaluate_url(action)).get_data(as_text=True)
    assert "Comuna 18" in page

    response = post_form(
        client, evaluate_url(action), {"fulfilment": "4", "effect": "2", "comment": "Faltó la ladera."}
    )
    assert response.status_code == 302 and response.location.endswith("#evaluaciones")
    row = db.session.scalars(select(ActionEvaluation)).one()
    assert (row.fulfilment, row.effect, row.comment) == (4, 2, "Faltó la ladera.")
    assert row.territory_id == make.territory(18).id

    page = client.get(evaluate_url(action)).get_data(as_text=True)
    assert "Ya evaluaste esta acción" in page
    assert re.search(r'<input checked id="fulfilment-\d" name="fulfilment" required type="radio" value="4">', page)
    assert post_form(client, evaluate_url(action), {"fulfilment": "5", "effect": "5", "comment": ""}).status_code == 302
    db.session.rollback()
    row = db.session.scalars(select(ActionEvaluation)).one()
    assert (row.fulfilment, row.effect, row.comment) == (5, 5, "")
    assert "Cambiar mi evaluación" in client.get(action_url(action)).get_data(as_text=True)


def test_an_action_not_done_may_be_evaluated_once_the_evaluation_phase_started(client, make):
    # Last year's cycle: every phase, the evaluation one included, has started.
    cycle = make.make_cycle(local_today().year - 1)
    action = make.make_action(make.make_plan(cycle=cycle), status=ActionStatus.IN_PROGRESS)
    login(client, make.make_user())
    assert f'href="/acciones/{action.id}/evaluar"' in client.get(action_url(action)).get_data(as_text=True)
    assert post_form(client, evaluate_url(action), {"fulfilment": "3", "effect": "3"}).status_code == 302
    assert count(ActionEvaluation) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fulfilment": "0", "effect": "3"}, "Califica el cumplimiento de 1 a 5."),
        ({"fulfilment": "6", "effect": "3"}, "Califica el cumplimiento de 1 a 5."),
        ({"fulfilment": "3", "effect": "0"}, "Califica el efecto de 1 a 5."),
        ({"fulfilment": "3", "effect": "6"}, "Califica el efecto de 1 a 5."),
        ({"fulfilment": "tres", "effect": "3"}, "Califica el cumplimiento de 1 a 5."),
        ({"effect": "3"}, "Califica el cumplimiento de 1 a 5."),
        ({"fulfilment": "3", "effect": "3", "comment": "a" * 2001}, "El comentario admite hasta 2000 caracteres."),
    ],
)
def test_invalid_evaluations_are_refused_and_store_nothing(client, make, data, message):
    action = future_cycle_action(make, status=ActionStatus.DONE)
    login(client, make.make_user())
    before = table_row_counts()
    response = post_form(client, evaluate_url(action), data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


def test_an_action_not_done_before_the_evaluation_phase_cannot_be_evaluated(client, make):
    action = future_cycle_action(make, status=ActionStatus.IN_PROGRESS)
    citizen = make.make_user()
    login(client, citizen)
    before = table_row_counts()
    assert client.get(evaluate_url(action)).status_code == 403
    response = post_form(client, evaluate_url(action), {"fulfilment": "4", "effect": "4"}, token_from="/cuenta")
    assert response.status_code == 403
    assert "todavía no se puede evaluar" in response.get_data(as_text=True)
    assert table_row_counts() == before
    with pytest.raises(NotAllowed):
        followup.evaluate(citizen, action, fulfilment=4, effect=4)
    html = client.get(action_url(action)).get_data(as_text=True)
    assert "Podrás evaluar esta acción cuando" in html
    assert f'href="/acciones/{action.id}/evaluar"' not in html


def test_parallel_first_evaluations_of_one_person_store_one_row(app, make, make_client):
    action = future_cycle_action(make, status=ActionStatus.DONE)
    citizen = make.make_user()
    url = evaluate_url(action)
    browsers, token = shared_browsers(make_client, citizen, url, 8)
    posts = [
        lambda b=browser, n=index: b.post(url, data={"csrf_token": token, "fulfilment": str(n % 5 + 1), "effect": "3"})
        for index, browser in enumerate(browsers)
    ]

    responses = race(posts)

    assert [r.status_code for r in responses] == [302] * 8
    assert count(ActionEvaluation) == 1


def test_action_page_shows_averages_per_territory_beside_the_official_report(client, make):
    official = make.make_official()
    action = future_cycle_action(make, status=ActionStatus.DONE)
    update_row(action, official, percent_done=100, status=ActionStatus.DONE, body="<p>Obra entregada.</p>")
    comuna_3, comuna_18 = make.territory(3), make.territory(18)
    for rating in (5, 5, 4, 4, 2):
        evaluation_row(action, make.make_user(), fulfilment=rating, effect=3, territory=comuna_3)
    # Fewer than five in comuna 18, and one without a declared territory: only in the overall average.
    evaluation_row(action, make.make_user(), fulfilment=1, effect=1, territory=comuna_18)
    evaluation_row(
        action, make.make_user(display_name="Rosa Díaz"), fulfilment=3, effect=5, comment="<b>Llegó tarde</b>"
    )

    html = client.get(action_url(action)).get_data(as_text=True)

    assert "Lo que reporta el organismo" in html and "Lo que evalúa la ciudadanía" in html
    assert "Obra entregada." in html and "100 %" in html
    # Overall: fulfilment (5+5+4+4+2+1+3)/7 = 3.43, effect (3*5+1+5)/7 = 3.
    assert "3,4 de 5" in html and "3 de 5" in html
    assert "Promedio de 7 evaluaciones." in html
    assert "Comuna 3" in html and "Comuna 18" not in html
    assert "2 evaluaciones cuentan solo en el promedio general" in html
    assert "Rosa Díaz" in html and "&lt;b&gt;Llegó tarde&lt;/b&gt;" in html
    assert "Evaluar esta acción" not in html  # anonymous


def test_the_evaluators_territory_is_copied_when_rating(make):
    """The evaluator's territory is copied when rating; a later move does not rewrite it."""
    action = future_cycle_action(make, status=ActionStatus.DONE)
    citizen = make.make_user(territory=make.territory(5))
    evaluation, created = followup.evaluate(citizen, action, fulfilment=2, effect=2)
    db.session.commit()
    assert created and evaluation.territory_id == make.territory(5).id
    citizen.territory_id = make.territory(6).id
    db.session.commit()
    assert fresh(ActionEvaluation, evaluation.id).territory_id == make.territory(5).id


# --- Observations ----------------------------------------------------------------------------------


def test_citizen_observes_and_the_organism_answers_publicly(client, make, make_client):
    action = make.make_action()
    citizen = make.make_user(display_name="Luis Mina")
    login(client, citizen)
    assert client.get(observe_url(action)).status_code == 200
    response = post_form(
        client,
        observe_url(action),
        {
            "body": "La obra está detenida desde agosto.\nNo hay obreros.",
            "evidence_links": "https://fotos.example.org/obra.jpg",
        },
    )
    assert response.status_code == 302 and response.location.endswith("#observaciones")
    observation = db.session.scalars(select(ControlObservation)).one()
    assert observation.author_id == citizen.id and observation.answered_at is None

    html = client.get(action_url(action)).get_data(as_text=True)
    assert "1 observación espera respuesta del organismo" in html
    assert "La obra está detenida desde agosto.<br>No hay obreros." in html
    assert 'href="https://fotos.example.org/obra.jpg"' in html
    assert answer_url(observation) not in html

    official = make_client()
    login(official, make.make_official())
    assert answer_url(observation) in official.get(action_url(action)).get_data(as_text=True)
    assert official.get(answer_url(observation)).status_code == 200
    response = post_form(official, answer_url(observation), {"answer": "Verificamos: la obra se reanuda el lunes."})
    assert response.status_code == 302

    observation = fresh(ControlObservation, observation.id)
    assert observation.answer == "Verificamos: la obra se reanuda el lunes." and observation.answered_at is not None
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == citizen.id and note.kind is NotificationKind.INSTITUTIONAL_ANSWER
    assert note.url == f"/acciones/{action.id}#observacion-{observation.id}"
    html = client.get(action_url(action)).get_data(as_text=True)
    assert "Verificamos: la obra se reanuda el lunes." in html
    assert "espera respuesta" not in html

    # A second answer is refused: the first one stands.
    response = post_form(official, answer_url(observation), {"answer": "Otra respuesta."}, token_from="/cuenta")
    assert response.status_code == 409
    assert "ya tiene respuesta" in response.get_data(as_text=True)
    assert fresh(ControlObservation, observation.id).answer == "Verificamos: la obra se reanuda el lunes."
    assert count(Notification) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Describe lo que observaste: es un campo obligatorio."),
        ({"body": "\u200b \u200b"}, "Describe lo que observaste: es un campo obligatorio."),
        ({"body": "a" * 10_001}, "La observación admite hasta 10000 caracteres."),
        ({"body": "Está detenida.", "evidence_links": "javascript:alert(1)"}, "no es una dirección web válida"),
        ({"body": "Está detenida.", "evidence_links": "fotos en mi celular"}, "no es una dirección web válida"),
    ],
)
def test_invalid_observations_are_refused_and_store_nothing(client, make, data, message):
    action = make.make_action()
    login(client, make.make_user())
    before = table_row_counts()
    response = post_form(client, observe_url(action), data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


@pytest.mark.parametrize("who", ["citizen", "author", "official_other", "moderator"])
def test_only_the_organism_answers_observations(client, make, who):
    action = make.make_action()
    author = make.make_user()
    observation = observation_row(action, author)
    users = {
        "citizen": make.make_user,
        "author": lambda: author,
        "official_other": lambda: make.make_official("SSP"),
        "moderator": lambda: make.make_user(Role.MODERATOR),
    }
    login(client, users[who]())
    before = table_row_counts()
    assert client.get(answer_url(observation)).status_code == 403
    response = post_form(client, answer_url(observation), {"answer": "Respondo yo."}, token_from="/cuenta")
    assert response.status_code == 403
    assert "Solo el personal del organismo responsable" in response.get_data(as_text=True)
    assert table_row_counts() == before
    assert fresh(ControlObservation, observation.id).answered_at is None


def test_empty_answers_and_foreign_observations_are_refused(client, make):
    action = make.make_action()
    other = make.make_action()
    observation = observation_row(action, make.make_user())
    login(client, make.make_official())
    before = table_row_counts()
    response = post_form(client, answer_url(observation), {"answer": "  \u200b "})
    assert response.status_code == 400
    assert "Escribe la respuesta: es un campo obligatorio." in response.get_data(as_text=True)
    # The observation's id under another action's URL does not exist.
    assert client.get(f"/acciones/{other.id}/observaciones/{observation.id}/respuesta").status_code == 404
    assert client.get(f"/acciones/{action.id}/observaciones/99999999999999999999/respuesta").status_code == 404
    assert table_row_counts() == before


def test_parallel_answers_store_the_first_and_notify_once(app, make, make_client):
    action = make.make_action()
    observation = observation_row(action, make.make_user())
    url = answer_url(observation)
    browsers, token = shared_browsers(make_client, make.make_official(), action_url(action), 6)
    posts = [
        lambda b=browser, n=index: b.post(url, data={"csrf_token": token, "answer": f"Respuesta {n}"})
        for index, browser in enumerate(browsers)
    ]

    responses = race(posts)

    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * 5
    assert count(Notification) == 1
    assert fresh(ControlObservation, observation.id).answer.startswith("Respuesta ")


# --- The action page -------------------------------------------------------------------------------


def test_action_page_links_to_the_forms_for_who_may_use_them(client, make):
    action = make.make_action()
    html = client.get(action_url(action)).get_data(as_text=True)
    assert f'href="/acciones/{action.id}/trazabilidad"' in html
    assert "Ver el recorrido completo" in html
    assert update_url(action) not in html
    assert 'href="/cuenta/ingresar"' in html
    login(client, make.make_user())
    html = client.get(action_url(action)).get_data(as_text=True)
    assert observe_url(action) in html and update_url(action) not in html
    assert f'action="{follow_url(action)}"' in html


def _grow(make, action, official, n):
    for index in range(n):
        author = make.make_user(territory=make.territory(index % 3 + 1))
        update_row(
            action, official, reported_on=local_today() - timedelta(days=index), evidence_links="https://cali.gov.co/x"
        )
        evaluation_row(action, author, comment=f"Comentario {index}", territory=author.territory)
        observation_row(
            action, author, answer="Respondida." if index % 2 else "", answered_at=now_utc() if index % 2 else None
        )


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official"])
def test_action_page_runs_the_same_queries_for_1_and_12_reports_evaluations_and_observations(
    client, make, count_queries, who
):
    official = make.make_official()
    action = future_cycle_action(make, status=ActionStatus.DONE)
    if who == "citizen":
        viewer = make.make_user()
        login(client, viewer)
        evaluation_row(action, viewer)
    elif who == "official":
        login(client, official)
    _grow(make, action, official, 1)
    with count_queries() as few:
        assert client.get(action_url(action)).status_code == 200

    _grow(make, action, official, 11)
    with count_queries() as many:
        response = client.get(action_url(action))
    html = response.get_data(as_text=True)
    assert html.count('id="avance-') == 12
    assert html.count('id="observacion-') == 12
    assert "Comentario 10" in html
    assert few.count == many.count, "\n".join(many.statements)
    # 3 for the action's origin (tests/test_traceability.py). Logged in: the person, the
    # unread-notifications badge, whether they follow, their own evaluation.
    assert many.count <= (14 if who == "anonymous" else 18), "\n".join(many.statements)


def test_the_organisms_own_officials_report_on_an_action_but_do_not_rate_it(client, make):
    action = future_cycle_action(make, status=ActionStatus.DONE)
    official = make.make_official()
    login(client, official)
    before = table_row_counts()
    assert client.get(evaluate_url(action)).status_code == 403
    response = post_form(client, evaluate_url(action), {"fulfilment": "5", "effect": "5"}, token_from="/cuenta")
    assert response.status_code == 403
    assert "el organismo que las ejecuta reporta su avance" in response.get_data(as_text=True)
    assert table_row_counts() == before
    html = client.get(action_url(action)).get_data(as_text=True)
    assert f'href="/acciones/{action.id}/evaluar"' not in html
    assert "el organismo que las ejecuta reporta su avance" in html
