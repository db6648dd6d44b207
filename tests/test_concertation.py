"""Concertation: combining originals into a concerted proposal, and the originals' authors' stances."""

import pytest
from sqlalchemy import select

from foro.extensions import db
from foro.models import (
    CallWindow,
    Notification,
    NotificationKind,
    Proposal,
    ProposalEndorsement,
    ProposalKind,
    Stance,
    proposal_origins,
)
from tests.helpers import csrf_token, login, race, table_row_counts


def _url(call) -> str:
    return f"/espacios/{call.space_id}/concertacion"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _concert(client, call, originals, **fields):
    data = {
        "csrf_token": csrf_token(client, "/cuenta"),
        "original_ids": [str(p.id) for p in originals],
        "title": "Movilidad nocturna concertada",
        "problem": "No hay transporte a la ladera de noche.",
        "description": "Una ruta nocturna y paraderos iluminados.",
        "territory_id": "",
        "estimated_cost": "$ 45.000.000",
    } | fields
    return client.post(_url(call), data=data)


@pytest.fixture
def authors(make):
    return make.make_user(), make.make_user()


@pytest.fixture
def call(make):
    return make.make_call(window=CallWindow.CONCERTATION)


def test_an_author_concerts_two_originals_and_the_other_author_is_told(client, make, call, authors):
    mine = make.make_proposal(call, authors[0], title="Ruta nocturna")
    theirs = make.make_proposal(call, authors[1], title="Paraderos iluminados")
    login(client, authors[0])
    page = _html(client.get(_url(call)))
    assert "Ruta nocturna" in page and "Crear la propuesta concertada" in page
    response = _concert(client, call, [mine, theirs], target_group_ids=[str(make.target_group().id)])
    assert response.status_code == 302
    db.session.rollback()
    concerted = db.session.scalars(select(Proposal).where(Proposal.kind == ProposalKind.CONCERTED)).one()
    assert concerted.author_id == authors[0].id and concerted.call_id == call.id
    assert {p.id for p in concerted.origins} == {mine.id, theirs.id}
    assert concerted.estimated_cost == 45_000_000 and concerted.description.startswith("<p>")
    assert [g.name for g in concerted.target_groups] == ["Jóvenes"]
    notices = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.PROPOSAL)).all()
    assert [n.user_id for n in notices] == [authors[1].id]
    assert "Paraderos iluminados" in notices[0].message and notices[0].url.endswith(f"#concertada-{concerted.id}")
    page = _html(client.get(_url(call)))
    assert "Movilidad nocturna concertada" in page and "Propuestas originales que reúne" in page


def test_the_organism_staff_concert_proposals_of_others(client, make, call, authors):
    originals = [make.make_proposal(call, author) for author in authors]
    login(client, make.make_official())
    assert _concert(client, call, originals).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Proposal).where(Proposal.kind == ProposalKind.CONCERTED)) is not None


def test_a_citizen_who_authored_none_of_them_may_not(client, make, call, authors):
    originals = [make.make_proposal(call, author) for author in authors]
    login(client, make.make_user())
    assert "Crear la propuesta concertada" not in _html(client.get(_url(call)))
    before = table_row_counts()
    assert _concert(client, call, originals).status_code == 403
    assert table_row_counts() == before


def test_an_author_may_not_combine_only_others_proposals(client, make, call, authors):
    make.make_proposal(call, authors[0])
    others = [make.make_proposal(call, authors[1]), make.make_proposal(call, make.make_user())]
    login(client, authors[0])
    before = table_row_counts()
    response = _concert(client, call, others)
    assert response.status_code == 403
    assert "Solo el personal del organismo o las personas autoras" in _html(response)
    assert table_row_counts() == before


@pytest.mark.parametrize("window", [CallWindow.PROPOSING, CallWindow.VOTING])
def test_concertation_happens_only_in_its_window(client, make, authors, window):
    other_call = make.make_call(window=window)
    originals = [make.make_proposal(other_call, author) for author in authors]
    login(client, make.make_official())
    before = table_row_counts()
    response = _concert(client, other_call, originals)
    assert response.status_code == 409
    assert "durante la etapa de concertación" in _html(response)
    assert table_row_counts() == before


def test_bad_choices_are_refused_with_spanish_errors(client, make, call, authors):
    mine = make.make_proposal(call, authors[0])
    theirs = make.make_proposal(call, authors[1])
    foreign = make.make_proposal(make.make_call(window=CallWindow.CONCERTATION), authors[1])
    login(client, make.make_official())
    before = table_row_counts()
    response = _concert(client, call, [mine])
    assert response.status_code == 400 and "Elige al menos dos propuestas" in _html(response)
    response = _concert(client, call, [mine, foreign])
    assert response.status_code == 400
    response = _concert(client, call, [mine, theirs], title="   ")
    assert response.status_code == 400 and "Escribe el título de la propuesta concertada." in _html(response)
    response = _concert(client, call, [mine, theirs], estimated_cost="-5")
    assert response.status_code == 400 and "pesos enteros" in _html(response)
    response = _concert(client, call, [mine, theirs], description="<script>alert(1)</script>")
    assert response.status_code == 400
    response = _concert(client, call, [mine, theirs], territory_id="999999")
    assert response.status_code == 400 and "no existe" in _html(response)
    assert table_row_counts() == before


def test_an_original_goes_into_one_concerted_proposal_only(client, make, call, authors):
    a, b, c = (make.make_proposal(call, authors[0]) for _ in range(3))
    login(client, authors[0])
    assert _concert(client, call, [a, b]).status_code == 302
    before = table_row_counts()
    response = _concert(client, call, [b, c])
    assert response.status_code in (400, 409)
    assert table_row_counts() == before


def test_two_people_concerting_the_same_original_at_once_make_one(app, make, call, authors):
    shared = make.make_proposal(call, authors[0])
    others = [make.make_proposal(call, authors[0]) for _ in range(4)]
    official = make.make_official()
    clients = []
    for _ in others:
        browser = app.test_client()
        login(browser, official)
        clients.append(browser)
    tokens = [csrf_token(browser, "/cuenta") for browser in clients]
    url, shared_id, other_ids = _url(call), shared.id, [other.id for other in others]
    db.session.rollback()

    def send(browser, token, other_id):
        data = {
            "csrf_token": token,
            "original_ids": [str(shared_id), str(other_id)],
            "title": "Concertada",
            "problem": "Problema",
            "description": "Descripción",
            "estimated_cost": "0",
        }
        return lambda: browser.post(url, data=data).status_code

    statuses = race([send(b, t, o) for b, t, o in zip(clients, tokens, other_ids, strict=True)])
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 400, 409}, statuses
    db.session.rollback()
    rows = db.session.execute(select(proposal_origins).where(proposal_origins.c.original_id == shared_id)).all()
    assert len(rows) == 1
    assert db.session.scalar(select(Proposal).where(Proposal.kind == ProposalKind.CONCERTED).limit(1)) is not None


# --- Stances -----------------------------------------------------------------------------------------------


def _stance(client, call, concerted, stance, comment=""):
    data = {"csrf_token": csrf_token(client, "/cuenta"), "stance": stance, "comment": comment}
    return client.post(f"/espacios/{call.space_id}/propuestas/{concerted.id}/postura", data=data)


def test_original_authors_endorse_then_object_with_a_reason(client, make, call, authors):
    originals = [make.make_proposal(call, author) for author in authors]
    concerted = make.make_proposal(call, make.make_official(), origins=originals)
    login(client, authors[1])
    assert "Guardar mi posición" in _html(client.get(_url(call)))
    assert _stance(client, call, concerted, "endorse", "Me parece bien.").status_code == 302
    before = table_row_counts()
    response = _stance(client, call, concerted, "object")
    assert response.status_code == 400 and "Explica por qué objetas" in _html(response)
    assert table_row_counts() == before
    assert _stance(client, call, concerted, "object", "Deja por fuera la vereda <b>alta</b>.").status_code == 302
    db.session.rollback()
    rows = db.session.scalars(select(ProposalEndorsement)).all()
    assert [(r.user_id, r.stance) for r in rows] == [(authors[1].id, Stance.OBJECT)]
    page = _html(client.get(_url(call)))
    assert "Objeta" in page and "Deja por fuera la vereda &lt;b&gt;alta&lt;/b&gt;." in page


def test_people_who_authored_no_original_take_no_stance(client, make, call, authors):
    originals = [make.make_proposal(call, author) for author in authors]
    concerted = make.make_proposal(call, make.make_official(), origins=originals)
    login(client, make.make_user())
    before = table_row_counts()
    assert _stance(client, call, concerted, "endorse").status_code == 403
    assert _stance(client, call, originals[0], "endorse").status_code == 404
    assert table_row_counts() == before


def test_stances_close_with_the_vote(client, make, authors):
    finished = make.make_call(window=CallWindow.FINISHED)
    originals = [make.make_proposal(finished, author) for author in authors]
    concerted = make.make_proposal(finished, make.make_official(), origins=originals)
    login(client, authors[0])
    before = table_row_counts()
    response = _stance(client, finished, concerted, "endorse")
    assert response.status_code == 409
    assert table_row_counts() == before


def test_the_concertation_page_runs_a_constant_number_of_queries(app, make, call, authors, count_queries):
    browser = app.test_client()
    login(browser, authors[0])

    def measure() -> int:
        db.session.commit()
        browser.get(_url(call))
        with count_queries() as counter:
            assert browser.get(_url(call)).status_code == 200
        return counter.count

    originals = [make.make_proposal(call, authors[0]) for _ in range(4)]
    make.make_proposal(call, make.make_official(), origins=originals[:2])
    few = measure()
    for _ in range(3):
        group = [make.make_proposal(call, make.make_user()) for _ in range(3)]
        concerted = make.make_proposal(call, make.make_official(), origins=group)
        db.session.add(
            ProposalEndorsement(concerted_id=concerted.id, user_id=group[0].author_id, stance=Stance.ENDORSE)
        )
        db.session.commit()
    for _ in range(5):
        make.make_proposal(call, make.make_user())
    assert measure() == few
