"""The organism's answers to proposals: deciding, joining or creating a plan action, notifying, correcting,
refusing bad input and outsiders, and the call's answers page."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from foro.extensions import db
from foro.models import (
    Action,
    AnswerDecision,
    Notification,
    NotificationKind,
    ProposalAnswer,
    ProposalStatus,
    Role,
    SpaceState,
)
from foro.models.proposal import REASON_MAX
from tests.answers_helpers import add_coauthor, add_follower, results_call, winner
from tests.helpers import csrf_token, login, post_form, race, table_row_counts


def _url(proposal) -> str:
    return f"/espacios/{proposal.call.space_id}/propuestas/{proposal.id}/respuesta"


def _answer(client, proposal, **data):
    url = _url(proposal)
    payload = {"decision": "rejected", "reason": "No cabe en el presupuesto de esta vigencia."} | data
    return post_form(client, url, payload, token_from=url)


@pytest.fixture
def scene(make, client):
    """A published-results call of SDTPC with one winner; an official of SDTPC logged in."""
    org = make.organism("SDTPC")
    call = results_call(make, org)
    author = make.make_user(display_name="Autora de la ruta")
    proposal = winner(make, call, author, territory=make.territory(18), target_groups=[make.target_group()])
    action = make.make_action(make.make_plan(org))
    official = make.make_official("SDTPC")
    login(client, official)
    return {"org": org, "call": call, "proposal": proposal, "author": author, "action": action, "official": official}


def _answers_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ProposalAnswer))


def test_accepting_into_an_existing_action_stores_the_answer_and_notifies(client, make, scene):
    proposal = scene["proposal"]
    coauthor, invited, follower = make.make_user(), make.make_user(), make.make_user()
    add_coauthor(proposal, coauthor)
    add_coauthor(proposal, invited, accepted=False)
    add_follower(proposal, follower)
    add_follower(proposal, scene["official"])

    response = _answer(
        client,
        proposal,
        decision="accepted",
        reason="Se suma a la escuela de liderazgo.\nEmpieza en junio.",
        action_mode="existing",
        action_id=str(scene["action"].id),
    )

    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.location.endswith(f"/espacios/{proposal.call.space_id}/respuestas#respuesta-{proposal.answer.id}")
    db.session.expire_all()
    answer = db.session.scalar(select(ProposalAnswer))
    assert answer.proposal_id == proposal.id
    assert answer.decision is AnswerDecision.ACCEPTED
    assert answer.reason == "Se suma a la escuela de liderazgo.\nEmpieza en junio."
    assert answer.action_id == scene["action"].id
    assert answer.answered_by_id == scene["official"].id
    notified = {
        n.user_id: n
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == NotificationKind.INSTITUTIONAL_ANSWER)
        )
    }
    # Authors, accepted co-authors and followers; never someone only invited, nor the official who answered.
    assert set(notified) == {scene["author"].id, coauthor.id, follower.id}
    assert "respondió tu propuesta" in notified[scene["author"].id].message
    assert "Aceptada" in notified[scene["author"].id].message
    assert "respondió la propuesta" in notified[follower.id].message
    assert notified[follower.id].url == f"/espacios/{proposal.call.space_id}/propuestas/{proposal.id}"
    # The space does not move by itself: the staff give the institutional response.
    assert proposal.call.space.state is SpaceState.RESULTS_PUBLISHED

    page = client.get(f"/espacios/{proposal.call.space_id}/respuestas").get_data(as_text=True)
    assert "Se suma a la escuela de liderazgo.<br>Empieza en junio." in page
    assert f'href="/acciones/{scene["action"].id}"' in page
    assert f'href="/acciones/{scene["action"].id}/trazabilidad"' in page
    assert "El organismo ya respondió todas las propuestas ganadoras y concertadas" in page


def test_accepting_as_a_new_action_creates_it_in_the_organisms_plan_with_the_proposals_territory(client, make, scene):
    proposal = scene["proposal"]
    form = client.get(_url(proposal)).get_data(as_text=True)
    # Prefilled from the proposal: its title, and its cost as the budget.
    assert f'value="{proposal.title}"' in form
    assert 'value="25000000"' in form

    response = _answer(
        client,
        proposal,
        decision="partly_accepted",
        reason="Se hará solo el primer tramo de la ruta.",
        action_mode="new",
        action_id="",
        title="Ruta nocturna a Siloé",
        procedure="participatory_planning",
        objective="Llevar transporte nocturno a la ladera.",
        goal="Una ruta cada 30 minutos hasta las 11 p. m.",
        indicator_name="Rutas nocturnas en operación",
        indicator_unit="rutas",
        indicator_target="1",
        budget="20000000",
        responsible_office="Subsecretaría de Movilidad",
        territory_ids=str(make.territory(5).id),  # ignored: the territory comes from the proposal
    )

    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    created = db.session.scalar(select(Action).where(Action.title == "Ruta nocturna a Siloé"))
    assert created.plan.organism_id == scene["org"].id
    assert created.plan.cycle_id == proposal.call.space.cycle_id
    assert created.budget == Decimal(20_000_000)
    assert [t.id for t in created.territories] == [make.territory(18).id]
    assert [g.name for g in created.target_groups] == ["Jóvenes"]
    answer = db.session.scalar(select(ProposalAnswer))
    assert answer.decision is AnswerDecision.PARTLY_ACCEPTED
    assert answer.action_id == created.id


def test_rejecting_needs_only_a_reason_and_ignores_an_action(client, make, scene):
    response = _answer(client, scene["proposal"], action_mode="existing", action_id=str(scene["action"].id))
    assert response.status_code == 302
    answer = db.session.scalar(select(ProposalAnswer))
    assert answer.decision is AnswerDecision.REJECTED
    assert answer.action_id is None


def test_the_staff_correct_an_answer_keeping_when_it_was_given(client, make, scene):
    proposal = scene["proposal"]
    assert _answer(client, proposal).status_code == 302
    first = db.session.scalar(select(ProposalAnswer))
    answered_at, answer_id = first.answered_at, first.id

    form = client.get(_url(proposal)).get_data(as_text=True)
    assert f'name="replaces_answer_id" type="hidden" value="{answer_id}"' in form
    assert "Corregir la respuesta" in form
    response = _answer(
        client,
        proposal,
        replaces_answer_id=str(answer_id),
        decision="accepted",
        reason="Reconsideramos: cabe en la escuela.",
        action_mode="existing",
        action_id=str(scene["action"].id),
    )

    assert response.status_code == 302
    db.session.expire_all()
    answers = db.session.scalars(select(ProposalAnswer)).all()
    assert [a.id for a in answers] == [answer_id]
    assert answers[0].decision is AnswerDecision.ACCEPTED
    assert answers[0].answered_at == answered_at
    assert answers[0].updated_at > answered_at
    messages = db.session.scalars(
        select(Notification.message).where(Notification.user_id == scene["author"].id).order_by(Notification.id)
    ).all()
    assert len(messages) == 2 and "corrigió su respuesta" in messages[1]


def test_an_answer_written_without_knowing_a_newer_one_is_refused(client, make, scene):
    proposal = scene["proposal"]
    assert _answer(client, proposal).status_code == 302
    before = table_row_counts()

    response = _answer(client, proposal, reason="Otra razón escrita a la vez.")

    assert response.status_code == 409
    assert "Otra persona respondió esta propuesta mientras escribías" in response.get_data(as_text=True)
    assert table_row_counts() == before
    assert db.session.scalar(select(ProposalAnswer.reason)) == "No cabe en el presupuesto de esta vigencia."


def test_two_officials_answering_at_once_store_one_answer(app, make, make_client, scene):
    proposal = scene["proposal"]
    clients = []
    for _ in range(4):
        browser = make_client()
        login(browser, make.make_official("SDTPC"))
        clients.append((browser, csrf_token(browser, _url(proposal))))
    url = _url(proposal)

    def send(browser, token):
        def work():
            with app.app_context():
                return browser.post(url, data={"csrf_token": token, "decision": "rejected", "reason": "No cabe."})

        return work

    results = race([send(browser, token) for browser, token in clients])

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in results)
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 409}, statuses
    assert _answers_count() == 1


def _action_of_other_organism(make):
    return make.make_action(make.make_plan(make.organism("SSP"))).id


def _action_of_other_cycle(make):
    return make.make_action(make.make_plan(make.organism("SDTPC"), make.make_cycle(2019))).id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "   \u200b "}, "Escribe la razón de la respuesta"),
        ({"reason": "a" * (REASON_MAX + 1)}, "La razón admite hasta 2000 caracteres"),
        ({"decision": ""}, "Elige una decisión"),
        ({"decision": "approved"}, "Elige una decisión"),
        ({"decision": "accepted", "action_mode": "existing", "action_id": ""}, "elige una acción existente o crea"),
        ({"decision": "accepted", "action_mode": "existing", "action_id": "abc"}, "Elige una de las opciones"),
        ({"decision": "accepted", "action_mode": "existing", "action_id": "99999999999999999999"}, "no pertenece"),
        ({"decision": "accepted", "action_mode": "existing", "action_id": "OTHER_ORG"}, "no pertenece al plan"),
        ({"decision": "accepted", "action_mode": "existing", "action_id": "OTHER_CYCLE"}, "no pertenece al plan"),
        ({"decision": "accepted", "action_mode": "new", "title": ""}, "Escribe el título de la acción"),
        (
            {
                "decision": "accepted",
                "action_mode": "new",
                "title": "Ruta",
                "objective": "x",
                "goal": "y",
                "indicator_name": "z",
                "indicator_unit": "u",
                "responsible_office": "o",
                "procedure": "nope",
                "indicator_target": "1",
                "budget": "1",
            },
            "Elige uno de los tres procedimientos",
        ),
        ({"decision": "accepted", "action_mode": "new", "budget": "mucho"}, "Escribe un número"),
        ({"reason": "Razón\x00 con NUL"}, ""),
    ],
)
def test_bad_input_is_refused_in_spanish_and_stores_nothing(client, make, scene, data, message):
    if data.get("action_id") == "OTHER_ORG":
        data["action_id"] = str(_action_of_other_organism(make))
    if data.get("action_id") == "OTHER_CYCLE":
        data["action_id"] = str(_action_of_other_cycle(make))
    before = table_row_counts()

    response = _answer(client, scene["proposal"], **data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert table_row_counts() == before


@pytest.mark.parametrize("who", ["official_of_other", "citizen", "moderator_of_space", "author"])
def test_outsiders_may_not_answer(make, make_client, scene, who):
    space = scene["call"].space
    people = {
        "official_of_other": lambda: make.make_official("SSP"),
        "citizen": make.make_user,
        "moderator_of_space": lambda: make.make_user(Role.MODERATOR),
        "author": lambda: scene["author"],
    }
    person = people[who]()
    if who == "moderator_of_space":
        space.moderators.append(person)
        db.session.commit()
    browser = make_client()
    login(browser, person)
    before = table_row_counts()

    assert browser.get(_url(scene["proposal"])).status_code == 403
    response = post_form(browser, _url(scene["proposal"]), {"decision": "rejected", "reason": "No."})

    assert response.status_code == 403
    assert "Solo el personal del organismo de la convocatoria puede responder" in response.get_data(as_text=True)
    assert table_row_counts() == before


def test_anonymous_visitors_are_sent_to_log_in(make, make_client, scene):
    browser = make_client()
    before = table_row_counts()
    response = post_form(browser, _url(scene["proposal"]), {"decision": "rejected", "reason": "No."})
    assert response.status_code == 302 and "/cuenta/ingresar" in response.location
    assert table_row_counts() == before


@pytest.mark.parametrize("state", [SpaceState.OPEN, SpaceState.CLOSED])
def test_answering_before_the_results_are_published_is_refused(client, make, scene, state):
    call = results_call(make, scene["org"], state=state)
    proposal = make.make_proposal(call, make.make_user())
    before = table_row_counts()

    assert client.get(_url(proposal)).status_code == 409
    response = _answer(client, proposal)

    assert response.status_code == 409
    assert "cuando la convocatoria ha publicado sus resultados" in response.get_data(as_text=True)
    assert table_row_counts() == before


@pytest.mark.parametrize("status", [ProposalStatus.WITHDRAWN, ProposalStatus.MERGED])
def test_only_published_proposals_are_answered(client, make, scene, status):
    target = winner(make, scene["call"], rank=2)
    proposal = make.make_proposal(
        scene["call"], make.make_user(), status=status, merged_into=target if status is ProposalStatus.MERGED else None
    )
    before = table_row_counts()
    response = _answer(client, proposal)
    assert response.status_code == 409
    assert "Solo se responden propuestas publicadas" in response.get_data(as_text=True)
    assert table_row_counts() == before
    # The tables are emptied with one DELETE, which would set merged_into to NULL under a merged row and
    # break its CHECK (merged has a target): undo the merge first.
    proposal.status, proposal.merged_into = ProposalStatus.PUBLISHED, None
    db.session.commit()


def test_hidden_proposals_and_foreign_ids_are_not_found(client, make, scene):
    call = scene["call"]
    hidden = make.make_proposal(call, make.make_user(), status=ProposalStatus.HIDDEN)
    other_call = results_call(make, scene["org"])
    foreign = make.make_proposal(other_call, make.make_user())
    forum = make.make_forum(org=scene["org"])
    space_id = call.space_id
    for url in [
        _url(hidden),
        f"/espacios/{space_id}/propuestas/{foreign.id}/respuesta",
        f"/espacios/{forum.space_id}/propuestas/{scene['proposal'].id}/respuesta",
        f"/espacios/{space_id}/propuestas/abc/respuesta",
        f"/espacios/{space_id}/propuestas/0/respuesta",
        f"/espacios/{space_id}/propuestas/-1/respuesta",
        f"/espacios/{space_id}/propuestas/99999999999999999999/respuesta",
        f"/espacios/abc/propuestas/{scene['proposal'].id}/respuesta",
        f"/espacios/{forum.space_id}/respuestas",
        "/espacios/99999999999999999999/respuestas",
    ]:
        assert client.get(url).status_code == 404, url


def test_admins_answer_too(make, make_client, scene):
    browser = make_client()
    login(browser, make.make_user(Role.ADMIN))
    assert _answer(browser, scene["proposal"]).status_code == 302
    assert _answers_count() == 1


def test_the_institutional_response_waits_for_every_owed_answer(client, make, scene):
    call = scene["call"]
    originals = [make.make_proposal(call, make.make_user()) for _ in range(2)]
    concerted = make.make_proposal(call, make.make_user(), origins=originals)
    space_url = f"/espacios/{call.space_id}"

    index = client.get(f"{space_url}/respuestas").get_data(as_text=True)
    assert "Faltan responder 2 propuestas" in index
    assert f'href="{_url(scene["proposal"])}"' in index
    assert f'href="{_url(concerted)}"' in index
    move = {"target": "response_given", "response": "<p>Respondimos todo.</p>"}
    refused = post_form(client, f"{space_url}/estado", move, token_from=space_url)
    assert refused.status_code == 409
    assert "Faltan responder 2 propuestas ganadoras o concertadas" in refused.get_data(as_text=True)

    assert _answer(client, scene["proposal"]).status_code == 302
    assert _answer(client, concerted).status_code == 302
    db.session.expire_all()
    # The last owed answer does not move the space: the staff give the response themselves.
    assert call.space.state is SpaceState.RESULTS_PUBLISHED
    accepted = post_form(client, f"{space_url}/estado", move, token_from=space_url)
    assert accepted.status_code == 302
    db.session.expire_all()
    assert call.space.state is SpaceState.RESPONSE_GIVEN
    # Answers may still be corrected once the response is given.
    answer_id = db.session.scalar(select(ProposalAnswer.id).where(ProposalAnswer.proposal_id == concerted.id))
    assert _answer(client, concerted, replaces_answer_id=str(answer_id), reason="Corregida.").status_code == 302


def test_answers_page_is_public_and_offers_answering_only_to_the_staff(make, make_client, scene):
    call = scene["call"]
    url = f"/espacios/{call.space_id}/respuestas"
    visitor = make_client().get(url)
    assert visitor.status_code == 200
    html = visitor.get_data(as_text=True)
    assert "Falta responder 1 propuesta" in html
    assert scene["proposal"].title in html
    assert '/respuesta"' not in html
    assert f'href="/espacios/{call.space_id}/propuestas/{scene["proposal"].id}"' in html


def test_answers_page_escapes_what_people_wrote(client, make, scene):
    proposal = winner(make, scene["call"], rank=2, title="<script>alert(1)</script>")
    assert _answer(client, proposal, reason='"><img src=x onerror=alert(1)>').status_code == 302
    html = client.get(f"/espacios/{scene['call'].space_id}/respuestas").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_answers_page_runs_a_constant_number_of_queries(client, make, scene, count_queries):
    call = scene["call"]
    url = f"/espacios/{call.space_id}/respuestas"

    def add(n):
        for i in range(n):
            answered = winner(make, call, rank=10 + i, territory=make.territory(1 + i % 22))
            assert (
                _answer(
                    client, answered, decision="accepted", action_id=str(scene["action"].id), action_mode="existing"
                ).status_code
                == 302
            )
            make.make_proposal(call, make.make_user(), origins=[make.make_proposal(call, make.make_user())])

    add(1)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add(8)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert small.count == large.count, "\n".join(large.statements)
    assert large.count <= 8, "\n".join(large.statements)
