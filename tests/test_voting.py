"""The vote of a call for proposals (simple, limited, budget), its ballot page, and the results."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from foro.extensions import db
from foro.models import (
    Ballot,
    CallWindow,
    Notification,
    NotificationKind,
    Proposal,
    ProposalCall,
    ProposalStatus,
    ProposalVote,
    Role,
    Space,
    SpaceState,
    VoteRule,
)
from foro.services import voting
from tests.helpers import csrf_token, login, table_row_counts


def _ballot_url(call) -> str:
    return f"/espacios/{call.space_id}/votacion"


def _vote(client, call, proposal, action="add", **extra):
    token = csrf_token(client, "/cuenta")
    data = {"csrf_token": token, "action": action} | extra
    return client.post(f"/espacios/{call.space_id}/votacion/{proposal.id}", data=data)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _fresh(model, key):
    db.session.rollback()
    return db.session.get(model, key)


def assert_totals_match(call):
    """Every cached counter equals a recount of the vote rows."""
    db.session.rollback()
    for proposal in db.session.scalars(select(Proposal).where(Proposal.call_id == call.id)):
        stored = db.session.scalar(select(func.count()).where(ProposalVote.proposal_id == proposal.id))
        assert proposal.votes_count == stored, proposal.id
    for ballot in db.session.scalars(select(Ballot).where(Ballot.call_id == call.id)):
        count, cost = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Proposal.estimated_cost), 0))
            .select_from(ProposalVote)
            .join(Proposal, Proposal.id == ProposalVote.proposal_id)
            .where(ProposalVote.call_id == call.id, ProposalVote.user_id == ballot.user_id)
        ).one()
        assert ballot.votes_count == count
        assert ballot.cost_total == Decimal(cost)
        assert ballot.max_votes is None or ballot.votes_count <= ballot.max_votes
        assert ballot.budget_cap is None or ballot.cost_total <= ballot.budget_cap


@pytest.fixture
def author(make):
    return make.make_user()


@pytest.fixture
def voter(make):
    return make.make_user(territory=make.territory(3))


# --- Casting and removing votes --------------------------------------------------------------------------


def test_a_vote_is_stored_counted_and_can_be_taken_back(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    response = _vote(client, call, proposal)
    assert response.status_code == 302
    page = _html(client.get(response.location))
    assert "Registramos tu voto" in page and "Votaste por esta propuesta." in page
    vote = _fresh(ProposalVote, (proposal.id, voter.id))
    assert vote.call_id == call.id and vote.voter_territory_id == voter.territory_id
    assert db.session.get(Proposal, proposal.id).votes_count == 1
    assert db.session.get(Ballot, (call.id, voter.id)).votes_count == 1

    assert _vote(client, call, proposal, "remove").status_code == 302
    assert _fresh(ProposalVote, (proposal.id, voter.id)) is None
    assert db.session.get(Proposal, proposal.id).votes_count == 0
    assert db.session.get(Ballot, (call.id, voter.id)).votes_count == 0
    assert_totals_match(call)


def test_a_second_vote_for_the_same_proposal_is_refused(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    assert _vote(client, call, proposal).status_code == 302
    before = table_row_counts()
    response = _vote(client, call, proposal)
    assert response.status_code == 409
    assert "Ya votaste por esta propuesta." in _html(response)
    assert table_row_counts() == before
    assert_totals_match(call)


def test_removing_a_vote_one_did_not_cast_is_refused(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    before = table_row_counts()
    response = _vote(client, call, proposal, "remove")
    assert response.status_code == 409
    assert "No habías votado por esta propuesta." in _html(response)
    assert table_row_counts() == before


def test_limited_rule_stops_at_the_limit_with_a_spanish_message(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.LIMITED, max_votes=2)
    proposals = [make.make_proposal(call, author) for _ in range(3)]
    login(client, voter)
    assert "Te quedan 2 votos." in _html(client.get(_ballot_url(call)))
    assert _vote(client, call, proposals[0]).status_code == 302
    assert "Te queda 1 voto." in _html(client.get(_ballot_url(call)))
    assert _vote(client, call, proposals[1]).status_code == 302
    before = table_row_counts()
    response = _vote(client, call, proposals[2])
    assert response.status_code == 409
    assert "el límite de esta convocatoria es 2 votos por persona" in _html(response)
    assert table_row_counts() == before
    # Changing one's choice: take one back, then the third fits.
    assert _vote(client, call, proposals[0], "remove").status_code == 302
    assert _vote(client, call, proposals[2]).status_code == 302
    assert_totals_match(call)


def test_budget_rule_refuses_what_does_not_fit_the_cap(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.BUDGET, budget_cap=Decimal("100000000"))
    big = make.make_proposal(call, author, estimated_cost=Decimal("70000000"))
    other = make.make_proposal(call, author, estimated_cost=Decimal("40000000"))
    small = make.make_proposal(call, author, estimated_cost=Decimal("30000000"))
    login(client, voter)
    assert _vote(client, call, big).status_code == 302
    page = _html(client.get(_ballot_url(call)))
    assert "Has usado $ 70.000.000 de $ 100.000.000; te quedan $ 30.000.000." in page
    assert "<meter" in page
    before = table_row_counts()
    response = _vote(client, call, other)
    assert response.status_code == 409
    assert "cuesta $ 40.000.000 y solo te quedan $ 30.000.000 del presupuesto de $ 100.000.000" in _html(response)
    assert table_row_counts() == before
    assert _vote(client, call, small).status_code == 302
    assert _fresh(Ballot, (call.id, voter.id)).cost_total == Decimal("100000000")
    assert_totals_match(call)


def test_the_ballot_check_constraints_hold_in_the_database(make, author, voter):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.LIMITED, max_votes=1)
    db.session.add(Ballot(call_id=call.id, user_id=voter.id, votes_count=1, max_votes=1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Ballot).values(votes_count=Ballot.votes_count + 1))
        db.session.flush()
    db.session.rollback()
    db.session.add(Ballot(call_id=call.id, user_id=author.id, cost_total=Decimal(10), budget_cap=Decimal(5)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_residents_only_refuses_other_residents_and_says_the_residency_is_self_declared(
    client, make_client, make, author
):
    comuna_3 = make.territory(3)
    call = make.make_call(window=CallWindow.VOTING, territories=[comuna_3], residents_only=True)
    proposal = make.make_proposal(call, author)
    outsider = make.make_user(territory=make.territory(5))
    login(client, outsider)
    page = _html(client.get(_ballot_url(call)))
    assert "la comuna o corregimiento que cada persona declara en su perfil" in page
    assert 'href="/cuenta"' in page
    before = table_row_counts()
    response = _vote(client, call, proposal)
    assert response.status_code == 403
    assert "En tu perfil declaraste vivir en" in _html(response) and "/cuenta" in _html(response)
    assert table_row_counts() == before

    resident = make.make_user(territory=comuna_3)
    browser = make_client()
    login(browser, resident)
    assert _vote(browser, call, proposal).status_code == 302
    assert _fresh(ProposalVote, (proposal.id, resident.id)).voter_territory_id == comuna_3.id


def test_a_person_without_declared_residency_is_told_where_to_declare_it(client, make, author):
    call = make.make_call(window=CallWindow.VOTING, territories=[make.territory(3)], residents_only=True)
    proposal = make.make_proposal(call, author)
    login(client, make.make_user())
    response = _vote(client, call, proposal)
    assert response.status_code == 403
    assert "Tu perfil no dice dónde vives" in _html(response)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (CallWindow.CONCERTATION, "aún no ha empezado"),
        (CallWindow.FINISHED, "ya terminó"),
        (CallWindow.PROPOSING, "aún no ha empezado"),
    ],
)
def test_voting_outside_the_window_is_refused(client, make, author, voter, window, message):
    call = make.make_call(window=window)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    before = table_row_counts()
    response = _vote(client, call, proposal)
    assert response.status_code == 409
    assert message in _html(response)
    assert table_row_counts() == before


def test_votes_after_the_space_closed_early_are_refused_and_cannot_be_removed(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    assert _vote(client, call, proposal).status_code == 302
    db.session.execute(update(Space).where(Space.id == call.space_id).values(state=SpaceState.CLOSED))
    db.session.commit()
    before = table_row_counts()
    assert _vote(client, call, proposal, "remove").status_code == 409
    assert table_row_counts() == before


def test_proposals_off_the_ballot_and_of_other_calls_are_refused(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    original = make.make_proposal(call, author)
    other_original = make.make_proposal(call, author)
    concerted = make.make_proposal(call, author, origins=[original, other_original], title="Ruta concertada")
    withdrawn = make.make_proposal(call, author, status=ProposalStatus.WITHDRAWN)
    foreign = make.make_proposal(make.make_call(window=CallWindow.VOTING), author)
    login(client, voter)
    before = table_row_counts()
    response = _vote(client, call, original)
    assert response.status_code == 409
    assert "quedó dentro de la propuesta concertada «Ruta concertada»" in _html(response)
    assert _vote(client, call, withdrawn).status_code == 409
    assert _vote(client, call, foreign).status_code == 404
    assert _vote(client, call, concerted, action="bogus").status_code == 400
    assert table_row_counts() == before
    page = _html(client.get(_ballot_url(call)))
    assert "Ruta concertada" in page and original.title not in page and withdrawn.title not in page


def test_a_user_id_in_the_form_is_ignored(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    someone = make.make_user()
    login(client, voter)
    assert _vote(client, call, proposal, user_id=str(someone.id)).status_code == 302
    assert _fresh(ProposalVote, (proposal.id, someone.id)) is None
    assert db.session.get(ProposalVote, (proposal.id, voter.id)) is not None


# --- The ballot page ---------------------------------------------------------------------------------------


def test_individual_votes_are_never_shown_and_totals_wait_for_the_close(client, make_client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    _vote(client, call, proposal)
    browser = make_client()
    login(browser, make.make_user())
    page = _html(browser.get(_ballot_url(call)))
    assert "Votaste por esta propuesta." not in page and voter.display_name not in page
    assert "1 voto" not in page and "Los totales se muestran cuando termine la votación." in page
    assert "Los resultados se muestran cuando termine la votación" in _html(
        browser.get(f"/espacios/{call.space_id}/resultados")
    )
    assert browser.get(f"/espacios/{call.space_id}/resultados.csv").status_code == 404


def test_live_totals_show_while_voting(client, make, author, voter):
    call = make.make_call(window=CallWindow.VOTING, live_totals=True)
    proposal = make.make_proposal(call, author)
    login(client, voter)
    _vote(client, call, proposal)
    assert "1 voto" in _html(client.get(_ballot_url(call)))
    assert "estos totales son provisionales" in _html(client.get(f"/espacios/{call.space_id}/resultados"))


def test_anonymous_visitors_see_the_ballot_and_are_asked_to_log_in(client, make, author):
    call = make.make_call(window=CallWindow.VOTING)
    make.make_proposal(call, author, title="Parque lineal del río Cali")
    page = _html(client.get(_ballot_url(call)))
    assert "Parque lineal del río Cali" in page and "Inicia sesión para votar" in page
    assert "Votar por esta propuesta" not in page


def test_the_ballot_page_runs_a_constant_number_of_queries(app, make, author, voter, count_queries):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.BUDGET, budget_cap=Decimal("10000000000"))
    browser = app.test_client()
    login(browser, voter)

    def measure() -> int:
        db.session.commit()
        browser.get(_ballot_url(call))
        with count_queries() as counter:
            assert browser.get(_ballot_url(call) + "?pagina=1").status_code == 200
        return counter.count

    proposals = [make.make_proposal(call, author, territory=make.territory(n % 5 + 1)) for n in range(3)]
    _vote(browser, call, proposals[0])
    few = measure()
    for n in range(45):
        proposals.append(make.make_proposal(call, make.make_user(), territory=make.territory(n % 7 + 1)))
    for proposal in proposals[1:12]:
        _vote(browser, call, proposal)
    many = measure()
    assert few == many, (few, many)
    assert many <= 10


def test_a_space_that_is_not_a_call_and_a_draft_are_404(client, make):
    space = make.make_space()
    assert client.get(f"/espacios/{space.id}/votacion").status_code == 404
    draft = make.make_call(window=CallWindow.NOT_OPEN, state=SpaceState.DRAFT)
    assert client.get(_ballot_url(draft)).status_code == 404


# --- Results ------------------------------------------------------------------------------------------------


def _cast(call, proposal, users):
    """Votes stored through the service, as the vote route does."""
    for user in users:
        db.session.rollback()
        fresh_call = db.session.get(ProposalCall, call.id)
        voting.cast_vote(db.session.get(type(user), user.id), fresh_call, proposal.id)
        db.session.commit()


def _close(call):
    """Voting ended (the dates passed) and the space was closed."""
    db.session.rollback()
    db.session.execute(update(Space).where(Space.id == call.space_id).values(state=SpaceState.CLOSED))
    db.session.commit()


def test_results_rank_by_votes_break_ties_by_age_and_group_by_territory(client, make, author):
    call = make.make_call(window=CallWindow.VOTING)
    comuna_1, comuna_2 = make.territory(1), make.territory(2)
    older = make.make_proposal(call, author, title="Biblioteca comunitaria", territory=comuna_1)
    newer = make.make_proposal(call, author, title="Huerta escolar", territory=comuna_2)
    top = make.make_proposal(call, author, title="Ciclorruta de la ladera", territory=comuna_1)
    make.make_proposal(call, author, title="Sin votos")
    from_1 = [make.make_user(territory=comuna_1) for _ in range(6)]
    from_2 = [make.make_user(territory=comuna_2) for _ in range(2)]
    _cast(call, top, from_1)
    _cast(call, older, from_2)
    _cast(call, newer, from_1[:2])
    _close(call)
    page = _html(client.get(f"/espacios/{call.space_id}/resultados"))
    assert page.index("Ciclorruta de la ladera") < page.index("Biblioteca comunitaria") < page.index("Huerta escolar")
    assert "10 votos en total" in page and "8 personas votaron" in page
    # By the voters' residence: comuna 1 cast 8 votes (shown), comuna 2 cast 2 (suppressed).
    assert "menos de 5" in page
    outcome = voting.results(db.session.get(ProposalCall, call.id))
    by_voter = {row.territory.id: row for row in outcome.by_voter_territory}
    assert by_voter[comuna_1.id].votes == 8 and not by_voter[comuna_1.id].suppressed
    assert by_voter[comuna_2.id].suppressed
    by_proposal = {row.territory.id if row.territory else None: row for row in outcome.by_proposal_territory}
    assert (by_proposal[comuna_1.id].proposals, by_proposal[comuna_1.id].votes) == (2, 8)

    response = client.get(f"/espacios/{call.space_id}/resultados.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "id",
        "título",
        "tipo",
        "comuna o corregimiento",
        "costo estimado",
        "votos",
        "puesto",
        "ganadora",
    ]
    assert [row[1] for row in rows[1:]] == [
        "Ciclorruta de la ladera",
        "Biblioteca comunitaria",
        "Huerta escolar",
        "Sin votos",
    ]
    assert rows[1][5:7] == ["6", "1"]
    body = response.get_data(as_text=True)
    assert author.email not in body and author.display_name not in body


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, make, author):
    call = make.make_call(window=CallWindow.FINISHED)
    make.make_proposal(call, author, title='=HYPERLINK("http://x")')
    rows = list(csv.reader(io.StringIO(client.get(f"/espacios/{call.space_id}/resultados.csv").get_data(as_text=True))))
    assert rows[1][1].startswith("'=")


def _publish(client, call):
    return client.post(
        f"/espacios/{call.space_id}/resultados/publicar", data={"csrf_token": csrf_token(client, "/cuenta")}
    )


def test_publishing_marks_winners_moves_the_space_and_tells_the_authors(client, make_client, make, author):
    official = make.make_official()
    call = make.make_call(window=CallWindow.VOTING, winners_count=1)
    first = make.make_proposal(call, author, title="Ganadora")
    second_author = make.make_user()
    second = make.make_proposal(call, second_author)
    make.make_proposal(call, second_author)
    _cast(call, first, [make.make_user() for _ in range(3)])
    _cast(call, second, [make.make_user()])
    _close(call)

    citizen = make.make_user()
    login(client, citizen)
    before = table_row_counts()
    assert _publish(client, call).status_code == 403
    assert table_row_counts() == before

    browser = make_client()
    login(browser, official)
    assert "Publicar los resultados" in _html(browser.get(f"/espacios/{call.space_id}/resultados"))
    response = _publish(browser, call)
    assert response.status_code == 302
    db.session.rollback()
    ranked = db.session.scalars(select(Proposal).where(Proposal.call_id == call.id).order_by(Proposal.rank)).all()
    assert [(p.rank, p.is_winner) for p in ranked] == [(1, True), (2, False), (3, False)]
    refreshed = db.session.get(ProposalCall, call.id)
    assert refreshed.results_published_at is not None
    assert refreshed.space.state is SpaceState.RESULTS_PUBLISHED
    notices = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.PROPOSAL)).all()
    assert [(n.user_id, "Ganadora" in n.message) for n in notices] == [(author.id, True)]
    page = _html(browser.get(f"/espacios/{call.space_id}/resultados"))
    assert "Resultados publicados" in page and "Ganadora</strong>" in page
    assert _publish(browser, call).status_code == 409


def test_publishing_before_the_space_closed_is_refused(client, make, author):
    official = make.make_official()
    call = make.make_call(window=CallWindow.VOTING)
    make.make_proposal(call, author)
    login(client, official)
    before = table_row_counts()
    response = _publish(client, call)
    assert response.status_code == 409
    assert "Cierra el espacio antes de publicar los resultados" in _html(response)
    assert table_row_counts() == before


def test_budget_winners_are_picked_by_votes_while_they_fit_the_cap(make, author):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.BUDGET, budget_cap=Decimal("100"))
    a = make.make_proposal(call, author, estimated_cost=Decimal("60"))
    b = make.make_proposal(call, author, estimated_cost=Decimal("50"))
    c = make.make_proposal(call, author, estimated_cost=Decimal("40"))
    d = make.make_proposal(call, author, estimated_cost=Decimal("0"))
    _cast(call, a, [make.make_user() for _ in range(3)])
    _cast(call, b, [make.make_user() for _ in range(2)])
    _cast(call, c, [make.make_user()])
    _close(call)
    official = make.make_official()
    db.session.rollback()
    winners = voting.publish_results(db.session.get(type(official), official.id), db.session.get(ProposalCall, call.id))
    db.session.commit()
    # a (60) fits, b (50) does not fit the 40 left, c (40) does; d has no votes.
    assert winners == {a.id, c.id}
    assert d.id not in winners


def test_every_voted_proposal_wins_when_the_call_names_no_number(make, author):
    call = make.make_call(window=CallWindow.VOTING, vote_rule=VoteRule.LIMITED, max_votes=2)
    voted = [make.make_proposal(call, author) for _ in range(2)]
    make.make_proposal(call, author)
    _cast(call, voted[0], [make.make_user()])
    _cast(call, voted[1], [make.make_user()])
    _close(call)
    moderator = make.make_user(Role.MODERATOR)
    db.session.rollback()
    space = db.session.get(Space, call.space_id)
    space.moderators.append(moderator)
    db.session.commit()
    winners = voting.publish_results(
        db.session.get(type(moderator), moderator.id), db.session.get(ProposalCall, call.id)
    )
    db.session.commit()
    assert winners == {p.id for p in voted}
    assert db.session.scalar(text("SELECT count(*) FROM proposals WHERE is_winner")) == 2
