"""End to end in Debian's Chromium, the loop of issue 4: a citizen's proposal goes into a concerted
proposal, is voted, accepted into a new plan action, reported on, and evaluated by the citizen; each page
of the chain links to the next and the traceability page walks back to the proposal.

The call's windows follow the clock, so between the steps the test moves them (as time would) and
closes the space through the same service the officials' state form calls. Two people log in through
the log-in form (the limit in tests is 5 a minute from one IP); locators are by role and label, so they
also check that every link, field and button the walk needs has an accessible name.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from foro.extensions import db
from foro.models import ActionStatus, AnswerDecision, CallWindow, Proposal, ProposalCall, ProposalKind, SpaceState
from foro.services.spaces import change_space_state
from foro.timeutil import now_utc
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
TITLE = "Escuela de formación deportiva en Alto Nápoles"
CONCERTED = "Escuela deportiva y huerta comunitaria de Alto Nápoles"
ACTION_TITLE = "Escuela deportiva de Alto Nápoles (propuesta ciudadana)"


@pytest.fixture
def page(page):
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture
def official_page(chromium):
    context = chromium.new_context(locale="es-CO")
    person_page = context.new_page()
    person_page.set_default_timeout(TIMEOUT_MS)
    dialogs: list[str] = []
    person_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield person_page
    context.close()
    assert not dialogs, f"a JavaScript dialog fired: {dialogs}"


def _log_in(page, base: str, user, back_to: str) -> None:
    page.goto(f"{base}/cuenta/ingresar?next={back_to}")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(f"{base}{back_to}")


def _run_window(call_id: int, *, past: int) -> None:
    """End the first ``past`` windows of the call a moment ago; the others run on from now."""
    call = db.session.get(ProposalCall, call_id)
    now = now_utc()
    ends = [now - timedelta(seconds=3 - i) if i < past else now + timedelta(hours=i) for i in range(3)]
    call.proposing_ends_at, call.concertation_ends_at, call.voting_ends_at = ends
    db.session.commit()


def test_a_proposal_becomes_a_voted_accepted_reported_and_evaluated_plan_action(make, live_server, page, official_page):
    official = make.make_official()
    citizen = make.make_user(display_name="Rosa Elvira Chocué")
    neighbour = make.make_user(display_name="Héctor Fabio Cortés")
    call = make.make_call(window=CallWindow.PROPOSING, territories=[make.territory(18)])
    space_id, call_id = call.space_id, call.id
    other = make.make_proposal(call, neighbour, title="Huerta comunitaria en el lote de la quebrada")
    space_url = f"/espacios/{space_id}"

    # Propose: from the space page to the form, and the new proposal's page.
    _log_in(page, live_server, citizen, space_url)
    page.get_by_role("link", name="Presentar una propuesta").click()
    page.get_by_label("Título").fill(TITLE)
    page.get_by_label("El problema que resuelve").fill("Las niñas y los niños de Alto Nápoles no tienen nada gratis.")
    page.get_by_label("Tu propuesta").fill("Fútbol, voleibol y patinaje tres tardes por semana en la cancha.")
    page.get_by_label("Costo estimado en pesos").fill("180000000")
    page.get_by_role("button", name="Presentar propuesta").click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == TITLE))
    assert proposal.author_id == citizen.id
    proposal_url = page.url

    # Concert: the official combines both originals on the concertation page the space page links to.
    _run_window(call_id, past=1)
    _log_in(official_page, live_server, official, space_url)
    official_page.get_by_role("link", name="Concertación").first.click()
    official_page.get_by_label(TITLE).check()
    official_page.get_by_label(other.title).check()
    official_page.get_by_label("Título de la propuesta concertada").fill(CONCERTED)
    official_page.get_by_label("Problema al que responde").fill("No hay actividades ni espacios verdes en el barrio.")
    official_page.get_by_label("Descripción").fill("La escuela deportiva y la huerta comparten el lote recuperado.")
    official_page.get_by_label("Costo estimado (pesos)").fill("220000000")
    official_page.get_by_role("button", name="Crear la propuesta concertada").click()
    official_page.get_by_role("link", name=CONCERTED).first.wait_for()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    concerted = db.session.scalar(select(Proposal).where(Proposal.kind == ProposalKind.CONCERTED))
    assert {p.id for p in concerted.origins} == {proposal.id, other.id}

    # The original's page says where it went, and links there.
    page.goto(proposal_url)
    page.get_by_text("Entró en la propuesta concertada").wait_for()
    page.get_by_role("link", name=CONCERTED).click()
    page.get_by_role("heading", level=1, name=CONCERTED).wait_for()

    # Vote: the space page leads to the ballot; the citizen votes for the concerted proposal.
    _run_window(call_id, past=2)
    page.goto(f"{live_server}{space_url}")
    page.get_by_role("link", name="Votar").first.click()
    card = page.locator("article", has=page.get_by_role("heading", name=CONCERTED))
    card.get_by_role("button", name="Votar por esta propuesta").click()
    page.locator("article", has=page.get_by_role("heading", name=CONCERTED)).get_by_text(
        "Votaste por esta propuesta."
    ).wait_for()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    assert db.session.get(Proposal, concerted.id).votes_count == 1

    # Results: the vote ends, the space closes, the official publishes the ranking.
    _run_window(call_id, past=3)
    space = db.session.get(ProposalCall, call_id).space
    change_space_state(official, space, SpaceState.CLOSED)
    db.session.commit()
    official_page.goto(f"{live_server}{space_url}")
    official_page.get_by_role("link", name="Resultados de la votación").first.click()
    official_page.get_by_role("button", name="Publicar los resultados y las propuestas ganadoras").click()
    official_page.get_by_role("link", name=CONCERTED).first.wait_for()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    assert db.session.get(Proposal, concerted.id).is_winner

    # Answer: from the winning proposal's page, accepted as a new action of the organism's plan.
    official_page.get_by_role("link", name=CONCERTED).first.click()
    official_page.get_by_role("link", name="Responder esta propuesta").click()
    official_page.get_by_label("Aceptada", exact=True).check()
    official_page.get_by_label("Razón pública de la respuesta").fill("Fue la más votada y cabe en el presupuesto.")
    official_page.get_by_label("Crear una acción nueva en el plan de acción").check()
    official_page.get_by_label("Título de la acción").fill(ACTION_TITLE)
    official_page.get_by_label("Procedimiento").select_option(label="Planeación participativa")
    official_page.get_by_label("Objetivo").fill("Actividades deportivas gratuitas para niñas y niños.")
    official_page.get_by_label("Meta", exact=True).fill("120 niñas y niños inscritos.")
    official_page.get_by_label("Nombre del indicador").fill("Niñas y niños inscritos")
    official_page.get_by_label("Unidad de medida").fill("personas inscritas")
    official_page.get_by_label("Meta del indicador").fill("120")
    official_page.get_by_label("Presupuesto (pesos colombianos)").fill("220000000")
    official_page.get_by_label("Dependencia responsable").fill("Subsecretaría de Desarrollo Territorial")
    official_page.get_by_role("button", name="Publicar la respuesta").click()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    answer = db.session.get(Proposal, concerted.id).answer
    assert answer is not None and answer.decision is AnswerDecision.ACCEPTED
    action_id = answer.action_id

    # The proposal's page links to its action; the official reports it done there.
    official_page.goto(f"{live_server}{space_url}/propuestas/{concerted.id}")
    official_page.get_by_role("link", name=ACTION_TITLE).first.click()
    official_page.wait_for_url(re.compile(rf"/acciones/{action_id}$"))
    official_page.get_by_role("link", name="Reportar avance").click()
    official_page.get_by_label("Valor del indicador").fill("120")
    official_page.get_by_label("Porcentaje de avance").fill("100")
    official_page.get_by_label("Estado de la acción").select_option(label="Cumplida")
    official_page.get_by_label("Qué se hizo").fill("Terminó el primer ciclo con 120 niñas y niños inscritos.")
    official_page.get_by_role("button", name="Publicar el reporte").click()
    official_page.get_by_text("Terminó el primer ciclo con 120 niñas y niños inscritos.").first.wait_for()
    db.session.rollback()  # end the test's read snapshot: the server wrote since
    assert answer.action.status is ActionStatus.DONE

    # Evaluate: the citizen follows the chain from her proposal to the action and rates it.
    page.goto(proposal_url)
    page.get_by_role("link", name=CONCERTED).click()
    page.get_by_role("link", name=ACTION_TITLE).first.click()
    page.get_by_role("link", name="Evaluar esta acción").click()
    page.locator('input[name="fulfilment"][value="4"]').check()
    page.locator('input[name="effect"][value="5"]').check()
    page.get_by_label("Comentario (opcional)").fill("Mis hijos van todas las semanas.")
    page.get_by_role("button", name="Enviar mi evaluación").click()
    page.get_by_text("Mis hijos van todas las semanas.").first.wait_for()

    # The traceability page walks the chain back to the citizen's own proposal.
    page.get_by_role("link", name="Ver el recorrido completo").click()
    page.wait_for_url(re.compile(rf"/acciones/{action_id}/trazabilidad$"))
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
