"""An action's traceability page and origin box: the chain from forum contributions to evaluations."""

import pytest
from flask import current_app, render_template, url_for
from sqlalchemy import select

from foro.extensions import db
from foro.models import (
    AnswerDecision,
    ContributionKind,
    ForumPost,
    Proposal,
    ProposalAnswer,
    ProposalStatus,
    SpaceState,
)
from foro.models.space import space_response_actions
from foro.services.traceability import action_origin, action_trace
from foro.timeutil import now_utc
from tests.answers_helpers import (
    add_evaluation,
    add_observation,
    add_update,
    results_call,
    winner,
)


def forum_thread_path(space_id, post_id):
    with current_app.test_request_context():
        return url_for("forums.thread", space_id=space_id, post_id=post_id)


def _answer(proposal, action, official, decision=AnswerDecision.ACCEPTED, reason="Se suma a la acción."):
    answer = ProposalAnswer(
        proposal_id=proposal.id, decision=decision, reason=reason, action_id=action.id, answered_by_id=official.id
    )
    db.session.add(answer)
    db.session.commit()
    return answer


def _chain(make, *, proposals=1, updates=1, evaluations=1, observations=1):
    """An action of SDTPC reached by ``proposals`` concerted proposals (each with two originals, one from a
    forum problem), named by a forum's institutional response, with updates, evaluations and observations."""
    org = make.organism("SDTPC")
    official = make.make_official("SDTPC")
    action = make.make_action(make.make_plan(org), title="Escuela de liderazgo juvenil")
    forum = make.make_forum(org=org, title="Foro de juventudes de la ladera")
    call = results_call(make, org, title="Presupuesto participativo de juventudes")
    for i in range(proposals):
        post = make.make_post(forum, make.make_user(), kind=ContributionKind.PROBLEM, title=f"Faltan espacios {i}")
        originals = [
            make.make_proposal(call, make.make_user(), title=f"Original con foro {i}", forum_post=post),
            make.make_proposal(call, make.make_user(), title=f"Original sola {i}", supports_count=7),
        ]
        concerted = winner(make, call, title=f"Concertada {i}", rank=1 + i, votes=40 + i, origins=originals)
        _answer(concerted, action, official)
    responding = make.make_space(
        org, state=SpaceState.RESPONSE_GIVEN, title="Foro que cerró el ciclo", response_given_at=now_utc()
    )
    db.session.execute(space_response_actions.insert().values(space_id=responding.id, action_id=action.id))
    db.session.commit()
    for i in range(updates):
        add_update(action, official, percent=10 + i)
    for i in range(evaluations):
        add_evaluation(action, make.make_user(), 4, 2 + i % 2, territory=make.territory(1 + i % 3))
    for i in range(observations):
        add_observation(action, make.make_user(), answered=i % 2 == 1)
    return {"action": action, "call": call, "forum": forum, "official": official, "responding": responding}


def test_traceability_page_walks_the_whole_chain_and_links_each_step(client, make):
    chain = _chain(make, evaluations=0)
    action, call, forum = chain["action"], chain["call"], chain["forum"]
    territory_1, territory_2 = make.territory(1), make.territory(2)
    for fulfilment, effect, territory in [(5, 4, territory_1), (3, 2, territory_1), (4, 4, territory_2), (2, 1, None)]:
        add_evaluation(action, make.make_user(), fulfilment, effect, territory=territory)

    response = client.get(f"/acciones/{action.id}/trazabilidad")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1 and "Trazabilidad de «Escuela de liderazgo juvenil»" in html
    # Forum contribution behind an original, and the space whose response named the action.
    post_id = db.session.scalar(select(ForumPost.id))
    assert f'href="{forum_thread_path(forum.space_id, post_id)}"' in html
    assert "Faltan espacios 0" in html
    assert f'href="/espacios/{chain["responding"].id}"' in html
    # Proposals: the concerted one with its originals, supports, votes, rank and the answer.
    space_id = call.space_id
    concerted = db.session.scalar(select(Proposal).where(Proposal.title == "Concertada 0"))
    assert f'href="/espacios/{space_id}/propuestas/{concerted.id}"' in html
    assert "Original con foro 0" in html and "Original sola 0" in html
    assert "7 apoyos" in html
    assert "40 votos" in html and "Ganadora" in html and "Puesto 1" in html
    assert f'href="/espacios/{space_id}/resultados"' in html
    assert "Aceptada" in html and "Se suma a la acción." in html
    assert f'href="/espacios/{space_id}/respuestas#respuesta-' in html
    assert chain["official"].display_name in html
    # The action, its indicator from baseline to target, and back to its page.
    assert f'href="/acciones/{action.id}"' in html
    assert "0 personas → 120 personas → 300 personas" in html
    # Updates, evaluations per territory (weighted totals), observations with and without answer.
    assert "10 % ejecutado" in html
    assert 'href="https://www.cali.gov.co/informe.pdf"' in html
    assert 'href="javascript:alert(1)"' not in html
    assert "4 personas evaluaron esta acción" in html
    assert territory_1.display_name in html and "Sin comuna o corregimiento declarado" in html
    assert "<strong>3,5</strong>" in html or "<strong>3.5</strong>" in html  # (5+3+4+2)/4
    assert "La obra está detenida desde marzo." in html
    assert "Sin respuesta del organismo" in html


def test_trace_computes_ratings_per_territory_and_orders_updates(make):
    chain = _chain(make, updates=0, evaluations=0, observations=0)
    action = chain["action"]
    from datetime import date

    older = add_update(action, chain["official"], reported_on=date(2026, 1, 1))
    newer = add_update(action, chain["official"], reported_on=date(2026, 2, 1))
    add_evaluation(action, make.make_user(), 5, 5, territory=make.territory(4))
    add_evaluation(action, make.make_user(), 2, 3, territory=make.territory(4))
    add_evaluation(action, make.make_user(), 1, 1)

    trace = action_trace(action.id)

    assert [u.id for u in trace.updates] == [newer.id, older.id]
    assert trace.ratings.count == 3
    assert str(trace.ratings.fulfilment) == "2.7"
    assert [
        (r.territory.number if r.territory else None, r.count, str(r.fulfilment), str(r.effect))
        for r in trace.ratings.by_territory
    ] == [(4, 2, "3.5", "4.0"), (None, 1, "1.0", "1.0")]


def test_hidden_proposals_and_unpublished_posts_stay_out_of_the_chain(client, make):
    chain = _chain(make)
    call = chain["call"]
    hidden = winner(make, call, title="Propuesta oculta por moderación", rank=9, status=ProposalStatus.HIDDEN)
    _answer(hidden, chain["action"], chain["official"])
    original = db.session.scalar(select(Proposal).where(Proposal.title == "Original sola 0"))
    original.status = ProposalStatus.HIDDEN
    db.session.commit()

    html = client.get(f"/acciones/{chain['action'].id}/trazabilidad").get_data(as_text=True)

    assert "Propuesta oculta por moderación" not in html
    assert "Original sola 0" not in html
    assert "Original con foro 0" in html


def test_an_action_without_history_says_so(client, make):
    action = make.make_action()
    html = client.get(f"/acciones/{action.id}/trazabilidad").get_data(as_text=True)
    assert "Ningún aporte de foro está vinculado a esta acción." in html
    assert "Ninguna propuesta ciudadana fue respondida con esta acción." in html
    assert "El organismo todavía no ha reportado avances de esta acción." in html
    assert "Nadie ha evaluado esta acción todavía." in html
    assert "No hay observaciones de control social sobre esta acción." in html


@pytest.mark.parametrize("action_id", ["0", "-1", "abc", "99999999999999999999", "2147483647"])
def test_unknown_actions_are_not_found(client, make, action_id):
    assert client.get(f"/acciones/{action_id}/trazabilidad").status_code == 404


def test_traceability_escapes_what_people_wrote(client, make):
    chain = _chain(make, observations=0)
    add_observation(chain["action"], make.make_user(), body="<script>alert(1)</script>")
    proposal = winner(make, chain["call"], title='"><img src=x onerror=alert(1)>', rank=5)
    _answer(proposal, chain["action"], chain["official"], reason="<svg onload=alert(1)>")

    html = client.get(f"/acciones/{chain['action'].id}/trazabilidad").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_traceability_runs_a_constant_number_of_queries(client, make, count_queries):
    small_chain = _chain(make, proposals=1, updates=1, evaluations=1, observations=1)
    big_chain = _chain(make, proposals=6, updates=8, evaluations=9, observations=5)

    with count_queries() as small:
        assert client.get(f"/acciones/{small_chain['action'].id}/trazabilidad").status_code == 200
    with count_queries() as large:
        assert client.get(f"/acciones/{big_chain['action'].id}/trazabilidad").status_code == 200

    assert small.count == large.count, "\n".join(large.statements)
    assert large.count <= 13, "\n".join(large.statements)


def test_action_origin_box_renders_from_origin_alone(app, make, count_queries):
    chain = _chain(make, proposals=2)
    action = chain["action"]
    assert action.title  # loaded, as it is on the action page
    with app.test_request_context("/"):
        with count_queries() as loading:
            origin = action_origin(action)
        with count_queries() as rendering:
            html = render_template("answers/_action_origin.html", origin=origin, action=action)

    assert loading.count == 4
    assert rendering.count == 0
    assert "De dónde viene esta acción" in html
    assert "Esta acción recoge 2 propuestas ciudadanas" in html
    assert "concertada a partir de 2 propuestas" in html
    assert "81 votos ciudadanos" in html  # 40 + 41
    assert "Viene de 2 aportes de foro" in html
    assert f'href="/acciones/{action.id}/trazabilidad"' in html


def test_action_origin_box_of_an_action_without_origin(app, make):
    action = make.make_action()
    with app.test_request_context("/"):
        html = render_template("answers/_action_origin.html", origin=action_origin(action), action=action)
    assert "Ninguna propuesta ciudadana respondida por el organismo ni compromiso" in html
    assert f'href="/acciones/{action.id}/trazabilidad"' in html
